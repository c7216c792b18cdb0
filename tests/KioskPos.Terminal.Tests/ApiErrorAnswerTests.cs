using System.Net;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The 4xx answers ASP.NET Core gives itself (a parameter that does not bind, a path a route constraint refuses, a
/// path or method the API does not have) are problem answers like the endpoints' own, naming the parameter: the
/// hostile-input sweep found them empty.
/// </summary>
public sealed class ApiErrorAnswerTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("GET /api/v1/payments?limit=abc (and 99999999999); POST /api/v1/tech/selftest?tapSeconds=abc", "400 bad_request problem naming the parameter, not an empty 400")]
    public async Task A_query_parameter_that_does_not_bind_is_a_400_problem_naming_it()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        var technician = await terminal.StaffAsync(StaffRole.Technician);

        foreach (var (client, method, path, detail) in new[]
        {
            (cashier, HttpMethod.Get, "/api/v1/payments?limit=abc", "Failed to bind parameter \"int? limit\" from \"abc\"."),
            (cashier, HttpMethod.Get, "/api/v1/payments?limit=99999999999", "Failed to bind parameter \"int? limit\" from \"99999999999\"."),
            (technician, HttpMethod.Post, "/api/v1/tech/selftest?tapSeconds=abc", "Failed to bind parameter \"int? tapSeconds\" from \"abc\"."),
        })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path));
            var problem = await response.ProblemAsync(HttpStatusCode.BadRequest, path);
            Assert.Equal(("bad_request", "Yêu cầu không hợp lệ.", detail), (problem.Code, problem.Title, problem.Detail));
        }

        // The bound values still work.
        using var good = await cashier.GetAsync("/api/v1/payments?limit=5");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("GET /api/v1/print-jobs/abc (the route takes {id:long}); GET /api/v1/no-such-thing", "404 not_found problem, naming id where a constraint refused it")]
    public async Task A_path_no_endpoint_takes_is_a_404_problem_naming_the_parameter_a_constraint_refused()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);

        using (var constrained = await cashier.GetAsync("/api/v1/print-jobs/abc"))
        {
            var problem = await constrained.ProblemAsync(HttpStatusCode.NotFound, "/api/v1/print-jobs/abc");
            Assert.Equal(("not_found", "Không tìm thấy địa chỉ này."), (problem.Code, problem.Title));
            Assert.Contains("id: 'abc'", problem.Detail, StringComparison.Ordinal);
        }

        using (var nothing = await cashier.GetAsync("/api/v1/no-such-thing"))
        {
            var problem = await nothing.ProblemAsync(HttpStatusCode.NotFound, "/api/v1/no-such-thing");
            Assert.Equal(("not_found", "Không tìm thấy địa chỉ này."), (problem.Code, problem.Title));
            Assert.Contains("/api/v1/no-such-thing", problem.Detail, StringComparison.Ordinal);
        }

        // An id of the right form that is not there is still the endpoint's own answer.
        using (var missing = await cashier.GetAsync("/api/v1/print-jobs/999999"))
        {
            Assert.Equal("job_not_found", (await missing.ProblemAsync(HttpStatusCode.NotFound, "/api/v1/print-jobs/999999")).Code);
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("DELETE /api/v1/payments, PUT /api/v1/sessions/current (paths that take other methods)", "405 method_not_allowed problem with its own title and the Allow header, not the title of a bad request")]
    public async Task A_method_a_path_does_not_take_is_a_405_problem_with_its_own_title_and_the_allow_header()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);

        foreach (var (method, path, allowed) in new[]
        {
            (HttpMethod.Delete, "/api/v1/payments", new[] { "GET", "POST" }),
            (HttpMethod.Put, "/api/v1/sessions/current", new[] { "DELETE", "GET" }),
        })
        {
            using var response = await cashier.SendAsync(new HttpRequestMessage(method, path));
            var problem = await response.ProblemAsync(HttpStatusCode.MethodNotAllowed, $"{method} {path}");
            Assert.Equal(("method_not_allowed", "Địa chỉ này không nhận phương thức đã gửi."), (problem.Code, problem.Title));
            Assert.Equal(allowed, response.Content.Headers.Allow.Order(StringComparer.Ordinal));
            Assert.Equal($"{path} does not take {method}; it takes {string.Join(", ", response.Content.Headers.Allow)}.", problem.Detail);
        }
    }
}
