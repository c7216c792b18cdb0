namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The overview at <c>/</c> (administrators; an accountant goes to their report): per institution the count and
/// value of payments received, per terminal its last contact and state. The page (<c>wwwroot/overview.html</c>) reads
/// <c>/api/v1/admin/institutions</c> and <c>/api/v1/admin/terminals</c>. No personal data. The plan report is at <c>/report</c>.
/// </summary>
internal static class HomePage
{
    public static IEndpointRouteBuilder MapHomePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetOverview).RequireProvincePage(Data.ProvinceRoles.Admin).ExcludeFromDescription();
        return app;
    }

    private static IResult GetOverview() => ProvincePages.Page("overview.html");
}
