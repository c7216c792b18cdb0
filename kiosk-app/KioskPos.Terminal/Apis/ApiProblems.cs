global using ProblemResult = Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<KioskPos.Shared.Contracts.ProblemDto>;
using KioskPos.Core.Payments;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// Every problem answer of the terminal, in the sync protocol's problem format (<see cref="ProblemDto"/> as
/// <c>application/problem+json</c>): a stable machine <c>code</c>, the title for people, in Vietnamese, from the message
/// catalogue (<c>terminal.problem.&lt;code&gt;</c>, Text/Catalogue/terminal-problems.json), the detail in English.
/// Endpoints declare which statuses they can answer this way with <see cref="ProducesProblems"/>.
/// </summary>
internal static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    /// <summary>
    /// The refusal as a problem; one that names a payment (<see cref="PaymentRefusal.PaymentId"/>) carries its id and,
    /// given, <paramref name="viewToken"/>, so that the screen can act on that payment (withdraw a live QR offer).
    /// </summary>
    public static ProblemResult From(PaymentRefusal refusal, string? viewToken = null)
    {
        var status = refusal.Kind switch
        {
            RefusalKind.Invalid => StatusCodes.Status400BadRequest,
            RefusalKind.NotFound => StatusCodes.Status404NotFound,
            RefusalKind.Conflict => StatusCodes.Status409Conflict,
            RefusalKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        var problem = Problems.Create(status, refusal.Code, refusal.Vietnamese, refusal.English) with
        {
            PaymentId = refusal.PaymentId,
            ViewToken = refusal.PaymentId is null ? null : viewToken,
        };
        return TypedResults.Json(problem, TerminalJsonContext.Readable.ProblemDto, ContentType, status);
    }

    /// <summary>The problem <paramref name="code"/>, titled <c>terminal.problem.&lt;code&gt;</c> formatted with <paramref name="titleArgs"/>.</summary>
    public static ProblemResult Create(int status, string code, string? detail, params object?[] titleArgs) =>
        Relay(status, code, Title(code, titleArgs), detail);

    /// <summary>The problem <paramref name="code"/> in one of its cases, titled <c>terminal.problem.&lt;code&gt;.&lt;variant&gt;</c>.</summary>
    public static ProblemResult Variant(int status, string code, string variant, string? detail, params object?[] titleArgs) =>
        Relay(status, code, Title($"{code}.{variant}", titleArgs), detail);

    /// <summary>A problem whose title was written elsewhere (a payment refusal, the province server's answer).</summary>
    public static ProblemResult Relay(int status, string code, string title, string? detail) =>
        TypedResults.Json(Problems.Create(status, code, title, detail), TerminalJsonContext.Readable.ProblemDto, ContentType, status);

    /// <summary>The Vietnamese title of <c>terminal.problem.&lt;key&gt;</c>.</summary>
    public static string Title(string key, params object?[] args) => Messages.Vi("terminal.problem." + key, args);

    /// <summary>The endpoint (or every endpoint of a group) may answer a <see cref="ProblemDto"/> with these statuses.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDto), [ContentType]));
        }

        return builder;
    }

    /// <summary>
    /// The endpoint (or every endpoint of a group) is one the cross-origin check guards, a session reaching it or it
    /// signing in or out: those of its methods that change something may answer 403 <c>cross_origin_request</c>
    /// (<see cref="CrossOriginRequests"/>), and the OpenAPI document says so.
    /// </summary>
    public static TBuilder ProducesCrossOriginRefusal<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        CrossOriginRequests.ProducesRefusal(builder, typeof(ProblemDto), ContentType);
}
