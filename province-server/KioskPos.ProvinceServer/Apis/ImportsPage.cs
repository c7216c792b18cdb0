using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The imports at <c>/imports</c> (a province administrator, or an institution's accountant): a bills file uploaded
/// to <c>/api/v1/admin/bills/import</c>, a bank statement to a connection's <c>…/statement</c>, and the connection's
/// gaps with its held lines to credit or dismiss. The page (<c>wwwroot/imports.html</c>) reads and posts that JSON with
/// the session cookie; each endpoint keeps an accountant to their own institution, and the page only offers what they
/// answer (<c>/api/v1/admin/bank/statement-connections</c>).
/// </summary>
internal static class ImportsPage
{
    public static IEndpointRouteBuilder MapImportsPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/imports", GetPage).RequireProvincePage(ProvinceRoles.Admin, ProvinceRoles.Accountant).ExcludeFromDescription();
        return app;
    }

    private static IResult GetPage() => ProvincePages.Page("imports.html");
}
