using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KioskPos.Web;

/// <summary>
/// The OpenAPI document's operation ids: each endpoint is a named handler method, and its name without "Async"
/// (GetPaymentAsync gives GetPayment) is the operation's id.
/// </summary>
public static class OperationIds
{
    /// <summary>An operation transformer for <c>AddOpenApi(o =&gt; o.AddOperationTransformer(OperationIds.NameAfterHandler))</c>.</summary>
    public static Task NameAfterHandler(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault() is { } handler)
        {
            operation.OperationId ??= handler.Name.EndsWith("Async", StringComparison.Ordinal) ? handler.Name[..^"Async".Length] : handler.Name;
        }

        return Task.CompletedTask;
    }
}
