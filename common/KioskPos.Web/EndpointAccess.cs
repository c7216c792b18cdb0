namespace KioskPos.Web;

/// <summary>How an endpoint decides who may call it (see <see cref="EndpointAccess"/>).</summary>
public enum AccessKind
{
    /// <summary>Anyone: a page, the message catalogue, health; nothing in the answer needs a role.</summary>
    Public,

    /// <summary>A terminal, by the signature of its device key (the sync API checks it); no person's role applies.</summary>
    Device,

    /// <summary>The bank, by the HMAC signature of its notification (the handler checks it); no person's role applies.</summary>
    BankSignature,

    /// <summary>A one-time code in the body (enrolment); no person's role applies.</summary>
    OneTimeCode,

    /// <summary>Signed in with one of the roles: 401 for no one, 403 for another role.</summary>
    Roles,

    /// <summary>No one signed in (the self-service kiosk), or one of the roles; 403 for another role.</summary>
    RolesOrAnonymous,

    /// <summary>One of the roles, or the resource's view token (<c>?t=</c>); anyone else is told it does not exist (404).</summary>
    RolesOrViewToken,
}

/// <summary>
/// Endpoint metadata: who may call the endpoint. Every endpoint of both servers carries one (or ASP.NET Core's
/// <c>AllowAnonymous</c>, read as <see cref="AccessKind.Public"/>); one middleware per server enforces it, and an
/// endpoint without one is refused (403 <c>access_undeclared</c>) and fails the role-matrix tests.
/// </summary>
/// <param name="Kind">How the caller is checked.</param>
/// <param name="Roles">The roles let through (wire names), for the kinds that name roles.</param>
/// <param name="Page">A page for people: the refusal is a redirect (to sign in, or to the page the role may see) instead of a problem.</param>
public sealed record EndpointAccess(AccessKind Kind, IReadOnlyList<string> Roles, bool Page = false)
{
    /// <summary>Anyone.</summary>
    public static EndpointAccess Public { get; } = new(AccessKind.Public, []);

    /// <summary>A terminal signing with its device key.</summary>
    public static EndpointAccess Device { get; } = new(AccessKind.Device, []);

    /// <summary>The bank signing its notification.</summary>
    public static EndpointAccess BankSignature { get; } = new(AccessKind.BankSignature, []);

    /// <summary>Whoever holds a one-time code.</summary>
    public static EndpointAccess OneTimeCode { get; } = new(AccessKind.OneTimeCode, []);

    /// <summary>Signed in with one of <paramref name="roles"/>.</summary>
    public static EndpointAccess For(params string[] roles) => new(AccessKind.Roles, roles);

    /// <summary>Whether a caller of <paramref name="role"/> (null: no one signed in) gets past the role check.</summary>
    public bool Lets(string? role) => Kind switch
    {
        AccessKind.Roles => role is not null && Roles.Contains(role),
        AccessKind.RolesOrAnonymous => role is null || Roles.Contains(role),
        AccessKind.RolesOrViewToken => role is not null && Roles.Contains(role),
        _ => true,
    };

    /// <summary>A short description for the role matrix.</summary>
    public override string ToString() => Kind switch
    {
        AccessKind.Roles => (Page ? "page: " : string.Empty) + string.Join(", ", Roles),
        AccessKind.RolesOrAnonymous => "no one signed in, or " + string.Join(", ", Roles),
        AccessKind.RolesOrViewToken => string.Join(", ", Roles) + ", or the view token",
        AccessKind.Device => "device signature",
        AccessKind.BankSignature => "bank signature",
        AccessKind.OneTimeCode => "one-time code",
        _ => "public",
    };
}

/// <summary>Declares an endpoint's <see cref="EndpointAccess"/>.</summary>
public static class EndpointAccessExtensions
{
    /// <summary>The endpoint (or every endpoint of the group) is reached as <paramref name="access"/> says.</summary>
    public static TBuilder WithAccess<TBuilder>(this TBuilder builder, EndpointAccess access)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(access);

    /// <summary>The endpoint is open to anyone, on purpose.</summary>
    public static TBuilder Public<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(EndpointAccess.Public);

    /// <summary>The endpoint's access as declared, or null when it declares none (a defect).</summary>
    public static EndpointAccess? AccessOf(this Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<EndpointAccess>()
        ?? (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null ? EndpointAccess.Public : null);
}
