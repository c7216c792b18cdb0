using System.Net;
using System.Net.Http.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>What the fuzzer found in the enrolment body (tests/KioskPos.Fuzz, target sync-requests).</summary>
public class EnrolmentKeyFuzzFindingTests
{
    [Fact]
    public async Task A_public_key_on_a_curve_nobody_knows_is_a_400_not_a_500()
    {
        // The fuzzer changed two bytes of the P-256 curve's OID in a SubjectPublicKeyInfo (1.2.840.10045.3.1.7 became
        // 1.3.15176.10045.3.1.7): OpenSSL threw PlatformNotSupportedException, which the enrolment did not catch —
        // a 500 for anyone, before any code was checked.
        var key = "MFkwEwYHKoZIzj0CAQYIK/ZIzj0DAQcDQgAE" + new string('A', 86) + "==";
        await using var province = await ProvinceHost.StartAsync();
        using var http = new HttpClient { BaseAddress = province.BaseUrl };

        using var response = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, new EnrolRequest("ABCD-EFGH", key), ContractsJsonContext.Default.EnrolRequest);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_public_key", (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
    }
}
