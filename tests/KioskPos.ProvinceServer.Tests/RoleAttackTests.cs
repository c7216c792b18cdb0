using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing.Patterns;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Issue 18's roles on the province server: every endpoint declares who may call it, and the role × endpoint matrix
/// generated from that metadata holds for no one, an accountant, an administrator signed in and the administrator's
/// token.
/// </summary>
public sealed class RoleAttackTests
{
    private static readonly string[] s_roles = ["none", "accountant", "admin session", "admin token"];

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("call every mapped endpoint of the province server with no one signed in, as an accountant, as an administrator (session) and with the administrator's token",
        "401/403 (a redirect to sign in for a page) exactly where the endpoint's metadata says, device- and bank-signed endpoints refused to every person, never a 500, no endpoint without a declaration")]
    public async Task Every_endpoint_declares_its_roles_and_answers_each_role_as_declared()
    {
        await using var province = await ProvinceHost.StartAsync();
        foreach (var (username, role, institution) in new[] { ("matrix.admin", ProvinceRoles.Admin, (string?)null), ("matrix.ketoan", ProvinceRoles.Accountant, "TG-THCS-NGUYENDU") })
        {
            using var saved = await province.Admin.PutAsJsonAsync($"/api/v1/admin/users/{username}", new { fullName = username, role, institutionId = institution, password = "Matrix-Password-2026" });
            Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        }

        async Task<HttpClient> ClientAsync(string role)
        {
            switch (role)
            {
                case "accountant":
                    return await province.SignInAsync("matrix.ketoan", "Matrix-Password-2026");
                case "admin session":
                    return await province.SignInAsync("matrix.admin", "Matrix-Password-2026");
                default:
                    var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = province.BaseUrl };
                    if (role == "admin token")
                    {
                        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProvinceHost.AdminToken);
                    }

                    return client;
            }
        }

        var clients = new Dictionary<string, HttpClient>();
        foreach (var role in s_roles)
        {
            clients[role] = await ClientAsync(role);
        }

        var rows = AccessMatrix.Endpoints(province.App, Sample);
        Assert.Contains(rows, r => r.Route == "/api/v1/admin/payments");
        var cells = new List<AccessMatrix.Cell>();
        var wrong = new List<string>();
        foreach (var row in rows)
        {
            if (row.Access is null)
            {
                wrong.Add($"{row.Method} {row.Route} declares no access");
                continue;
            }

            foreach (var role in s_roles)
            {
                var roleName = role switch { "none" => null, "accountant" => ProvinceRoles.Accountant, _ => ProvinceRoles.Admin };
                var (status, location, problem) = await AccessMatrix.CallAsync(clients[role], row);
                var allowed = row.Access.Lets(roleName) && row.Access.Kind is not (AccessKind.Device or AccessKind.BankSignature);
                cells.Add(new AccessMatrix.Cell(row, role, status, location, allowed, problem));
                if (Expectation(row.Access, roleName, allowed, status, location, problem) is { } failure)
                {
                    wrong.Add($"{role} {row.Method} {row.Url}: {failure} (got {status} {problem} {location})");
                }

                // Signing out ends that client's session: sign in again for the next endpoints.
                if (row.Route == "/logout")
                {
                    clients[role].Dispose();
                    clients[role] = await ClientAsync(role);
                }
            }
        }

        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        var table = AccessMatrix.Markdown("Province server: role × endpoint", s_roles, cells);
        AccessMatrix.Write("province-role-matrix", table);
        AttackReport.Measured(this, $"{rows.Count} endpoints × {s_roles.Length} roles called; {wrong.Count} answered other than declared");
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong) + Environment.NewLine + table);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("reach an endpoint someone mapped without declaring who may call it", "403 access_undeclared: the middleware refuses what declares nothing")]
    public async Task An_endpoint_that_declares_nothing_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-province-").FullName;
        try
        {
            await using var app = ProvinceApp.Build(["--urls=http://127.0.0.1:0", $"--Province:DataDirectory={folder}", "--Logging:LogLevel:Default=Warning"]);
            app.MapGet("/forgotten", () => "what nobody thought about");
            app.MapGet("/declared", () => "open on purpose").Public();
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using var forgotten = await http.GetAsync("/forgotten");
            Assert.Equal(HttpStatusCode.Forbidden, forgotten.StatusCode);
            Assert.Equal("access_undeclared", (await forgotten.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
            Assert.Equal("open on purpose", await http.GetStringAsync("/declared"));
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // What the matrix expects of one answer; null when it is right.
    private static string? Expectation(EndpointAccess access, string? role, bool allowed, int status, string? location, string? problem)
    {
        if (status >= 500)
        {
            return "a 5xx";
        }

        if (access.Kind is AccessKind.Device or AccessKind.BankSignature)
        {
            // No person holds a device key or the bank's secret: whatever their role, refused.
            return status is 401 or 403 ? null : "expected 401/403: a person's role does not stand in for a signature";
        }

        if (allowed)
        {
            return status is 401 or 403 && problem is "unauthenticated" or "forbidden" or "access_undeclared" || (access.Page && location is { } to && to.StartsWith("/login", StringComparison.Ordinal))
                ? "refused although declared open to the role"
                : null;
        }

        if (access.Page)
        {
            var expectedPage = role is null ? "/login" : "/report";
            return status == 302 && location?.StartsWith(expectedPage, StringComparison.Ordinal) == true ? null : $"expected a redirect to {expectedPage}";
        }

        var expected = role is null ? 401 : 403;
        return status == expected ? null : $"expected {expected}";
    }

    // Route values that name nothing the test would mind changing: an unknown terminal, a demo payer and card.
    private static string Sample(string route, RoutePatternParameterPart parameter) => parameter.Name switch
    {
        "id" when parameter.ParameterPolicies.Any(p => p.Content is "long" or "int") => "1",
        "id" when route.Contains("institutions", StringComparison.Ordinal) => "TG-MATRIX-NONE",
        "id" => "KP-MATRIX-00-01",
        "code" => "HS240001",
        "uid" => "04A1B2C3",
        "documentName" => "v1",
        "username" => "matrix.nobody",
        "item" => "transfer:1",
        _ => "x",
    };
}
