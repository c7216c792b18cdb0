using System.Net;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The 4xx answers ASP.NET Core gives itself (a query parameter that does not bind, a path the API does not have)
/// are problem answers like the endpoints' own, naming the parameter: the hostile-input sweep found them empty.
/// </summary>
public sealed class ApiErrorAnswerTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("GET /api/v1/admin/payments?limit=abc, …/bank/transfers?refundDue=maybe, …/e-documents?limit=abc", "400 bad_request problem naming the parameter, not an empty 400")]
    public async Task A_query_parameter_that_does_not_bind_is_a_400_problem_naming_it()
    {
        await using var province = await ProvinceHost.StartAsync();

        foreach (var (path, detail) in new[]
        {
            ("/api/v1/admin/payments?limit=abc", "Failed to bind parameter \"int? limit\" from \"abc\"."),
            ("/api/v1/admin/payments?limit=99999999999", "Failed to bind parameter \"int? limit\" from \"99999999999\"."),
            ("/api/v1/admin/bank/transfers?refundDue=maybe", "Failed to bind parameter \"bool? refundDue\" from \"maybe\"."),
            ("/api/v1/admin/e-documents?limit=abc", "Failed to bind parameter \"int? limit\" from \"abc\"."),
        })
        {
            using var response = await province.Admin.GetAsync(path);
            var problem = await response.ProblemAsync(HttpStatusCode.BadRequest, path);
            Assert.Equal(("bad_request", "Yêu cầu không hợp lệ.", detail), (problem.Code, problem.Title, problem.Detail));
        }

        using var good = await province.Admin.GetAsync("/api/v1/admin/bank/transfers?refundDue=true&limit=5");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("GET /api/v1/admin/no-such-thing; POST /api/v1/admin/bank/deliveries/abc/replay (the route takes {id:long})", "404 not_found problem, naming id where a constraint refused it; a page's path keeps its own answer")]
    public async Task A_path_the_api_does_not_have_is_a_404_problem_naming_a_refused_constraint_and_a_page_path_is_left_alone()
    {
        await using var province = await ProvinceHost.StartAsync();

        using (var nothing = await province.Admin.GetAsync("/api/v1/admin/no-such-thing"))
        {
            var problem = await nothing.ProblemAsync(HttpStatusCode.NotFound, "/api/v1/admin/no-such-thing");
            Assert.Equal(("not_found", "Không tìm thấy địa chỉ này."), (problem.Code, problem.Title));
            Assert.Contains("/api/v1/admin/no-such-thing", problem.Detail, StringComparison.Ordinal);
        }

        using (var constrained = await province.Admin.PostAsync("/api/v1/admin/bank/deliveries/abc/replay", null))
        {
            var problem = await constrained.ProblemAsync(HttpStatusCode.NotFound, "/api/v1/admin/bank/deliveries/abc/replay");
            Assert.Equal(("not_found", "Không tìm thấy địa chỉ này."), (problem.Code, problem.Title));
            Assert.Equal("id: 'abc' does not meet the route's constraint 'long' (POST /api/v1/admin/bank/deliveries/{id:long}/replay).", problem.Detail);
        }

        using var page = await province.Admin.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.NotEqual("application/problem+json", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("DELETE /api/v1/admin/payments, POST /api/v1/admin/plans (paths that take other methods)", "405 method_not_allowed problem with its own title and the Allow header, not the title of a bad request")]
    public async Task A_method_a_path_does_not_take_is_a_405_problem_with_its_own_title_and_the_allow_header()
    {
        await using var province = await ProvinceHost.StartAsync();

        foreach (var (method, path, allowed) in new[]
        {
            (HttpMethod.Delete, "/api/v1/admin/payments", new[] { "GET" }),
            (HttpMethod.Post, "/api/v1/admin/plans", new[] { "GET", "PUT" }),
        })
        {
            using var response = await province.Admin.SendAsync(new HttpRequestMessage(method, path));
            var problem = await response.ProblemAsync(HttpStatusCode.MethodNotAllowed, $"{method} {path}");
            Assert.Equal(("method_not_allowed", "Địa chỉ này không nhận phương thức đã gửi."), (problem.Code, problem.Title));
            Assert.Equal(allowed, response.Content.Headers.Allow.Order(StringComparer.Ordinal));
            Assert.Equal($"{path} does not take {method}; it takes {string.Join(", ", response.Content.Headers.Allow)}.", problem.Detail);
        }
    }
}
