using System.Net;
using System.Net.Http.Json;
using KioskPos.Storage;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Roles are enforced by the server on every endpoint group, whatever a screen shows: the kiosk (no one signed in)
/// reaches only the payer's own flow; a technician no payment or personal data; cashiers and supervisors the counter.
/// </summary>
public class RoleTests
{
    private enum Who { Kiosk, Cashier, Supervisor, Technician }

    // Each endpoint group, and who gets through (anyone else: 401 without a session, 403 with the wrong role).
    private static readonly (string Method, string Path, Who[] Allowed)[] s_matrix =
    [
        ("GET", "/api/v1/payers/HS240001", [Who.Kiosk, Who.Cashier, Who.Supervisor, Who.Technician]),
        ("GET", "/api/v1/status", [Who.Kiosk, Who.Cashier, Who.Supervisor, Who.Technician]),
        ("GET", "/api/v1/payments", [Who.Cashier, Who.Supervisor]),
        ("GET", "/api/v1/payers?name=nguyen", [Who.Cashier, Who.Supervisor]),
        ("GET", "/api/v1/print-jobs/1", [Who.Cashier, Who.Supervisor]),
        ("POST", "/api/v1/reports/x", [Who.Cashier, Who.Supervisor]),
        ("POST", "/api/v1/receipts/last/reprint", [Who.Cashier, Who.Supervisor]),
        ("POST", "/api/v1/payments/KP-THCS-ND-01-00000001/reprint", [Who.Cashier, Who.Supervisor]),
        ("POST", "/api/v1/payments/KP-THCS-ND-01-00000001/void", [Who.Cashier, Who.Supervisor]),
        ("POST", "/api/v1/payments/KP-THCS-ND-01-00000001/refund", [Who.Cashier, Who.Supervisor]),
        ("GET", "/api/v1/shifts/current", [Who.Cashier, Who.Supervisor]),
        ("POST", "/api/v1/printer/test-page", [Who.Cashier, Who.Supervisor, Who.Technician]),
        ("GET", "/api/v1/journal/verify", [Who.Cashier, Who.Supervisor, Who.Technician]),
        ("GET", "/api/v1/sessions/current", [Who.Cashier, Who.Supervisor, Who.Technician]),
        ("GET", "/api/v1/tech/state", [Who.Technician]),
        ("POST", "/api/v1/tech/selftest", [Who.Technician]),
    ];

    [Fact]
    public async Task Each_role_reaches_exactly_its_endpoint_groups()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var clients = new Dictionary<Who, HttpClient>
        {
            [Who.Kiosk] = terminal.Http,
            [Who.Cashier] = await terminal.StaffAsync(StaffRole.Cashier),
            [Who.Supervisor] = await terminal.StaffAsync(StaffRole.Supervisor),
            [Who.Technician] = await terminal.StaffAsync(StaffRole.Technician),
        };
        var wrong = new List<string>();
        foreach (var (method, path, allowed) in s_matrix)
        {
            foreach (var (who, client) in clients)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var expected = allowed.Contains(who) ? "through" : who == Who.Kiosk ? "401" : "403";
                var actual = status is 401 or 403 ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "through";
                if (expected != actual)
                {
                    wrong.Add($"{who} {method} {path}: expected {expected}, got {status}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));

        // Personal data to what the role needs: the kiosk and a technician get the payer's name masked.
        foreach (var (who, client) in clients)
        {
            var payer = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/payers/HS240001");
            Assert.Equal(who is Who.Cashier or Who.Supervisor ? "Nguyễn Minh Anh" : "N. M. Anh", payer.GetProperty("name").GetString());
        }
    }
    [Fact]
    public async Task A_payment_is_open_to_the_kiosk_that_took_it_by_its_view_token_and_to_the_counter_not_to_anyone_guessing_ids()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        using var created = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240002", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240002" } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var payment = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        var token = payment.GetProperty("viewToken").GetString()!;
        var svgUrl = payment.GetProperty("qr").GetProperty("svgUrl").GetString()!;
        var wrongToken = new string('0', token.Length);
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);

        async Task<HttpStatusCode> StatusOf(HttpClient client, string method, string path)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        foreach (var suffix in new[] { "", "/qr.svg", "/receipt-lookup" })
        {
            var path = $"/api/v1/payments/{id}{suffix}";
            Assert.Equal(HttpStatusCode.NotFound, await StatusOf(terminal.Http, "GET", path));
            Assert.Equal(HttpStatusCode.NotFound, await StatusOf(terminal.Http, "GET", $"{path}?t={wrongToken}"));
            Assert.Equal(HttpStatusCode.NotFound, await StatusOf(technician, "GET", path));
            Assert.Equal(HttpStatusCode.OK, await StatusOf(terminal.Http, "GET", $"{path}?t={token}"));
            Assert.Equal(HttpStatusCode.OK, await StatusOf(cashier, "GET", path));
        }

        // The QR image's address in the answer carries the token; another payment's token opens nothing else.
        Assert.Equal(HttpStatusCode.OK, await StatusOf(terminal.Http, "GET", svgUrl));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(terminal.Http, "GET", $"/api/v1/payments/{id[..^1]}9?t={token}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(terminal.Http, "POST", $"/api/v1/payments/{id}/cancel"));
        Assert.Equal(HttpStatusCode.OK, await StatusOf(terminal.Http, "POST", $"/api/v1/payments/{id}/cancel?t={token}"));
    }
}
