using System.Net;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>
/// <c>/report</c> (the page and its CSV download) refuses a query as the API refuses it: a problem with the API's
/// code naming the field, an unknown plan 404 <c>plan_not_found</c> (the hostile-input sweep found a bare JSON string
/// and a 400 "plan or units unknown").
/// </summary>
public sealed class ReportPageProblemTests
{
    [Fact]
    public async Task The_report_page_refuses_a_bad_query_with_the_apis_problem()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var administrator = await province.SignInAsync("tinh.admin", "QuanTri@2026");

        foreach (var (path, status, code, field) in new[]
        {
            ("/report?from=abc", HttpStatusCode.BadRequest, "invalid_period", "from"),
            ("/report?format=csv&from=2026-12-01&to=2026-11-01", HttpStatusCode.BadRequest, "invalid_period", "from"),
            ("/report?format=csv&units=yesterday", HttpStatusCode.BadRequest, "invalid_units", "units"),
            ("/report?format=csv&plan=NOPE", HttpStatusCode.NotFound, "plan_not_found", "NOPE"),
        })
        {
            using var page = await administrator.GetAsync(path);
            var body = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == status && page.Content.Headers.ContentType?.MediaType == "application/problem+json",
                $"{path}: {(int)page.StatusCode} {page.Content.Headers.ContentType} '{body}'");
            var problem = await page.ProblemAsync();
            Assert.Equal(code, problem.Code);
            Assert.Contains(field, problem.Detail, StringComparison.Ordinal);

            // The API answers the same query alike.
            using var api = await province.Admin.GetAsync("/api/v1/admin/report/plan" + path["/report".Length..]);
            Assert.Equal((status, code), (api.StatusCode, (await api.ProblemAsync()).Code));
        }

        using var csv = await administrator.GetAsync("/report?format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
    }
}
