using KioskPos.Core.Domain;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Apis;
using KioskPos.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.Terminal.Screens;

/// <summary>
/// <c>GET /api/v1/kiosk/institution</c>: the institution the terminal serves, in the sync protocol's shape (its type as
/// the wire name, e.g. <c>provincial_hospital</c>). The kiosk page words itself by it before anyone is found: pupils,
/// their code and their class at a school; patients, their code and their department at a hospital. Nothing in it is
/// more than the kiosk already shows (the name in the header, the receiving account beside every VietQR).
/// </summary>
internal static class KioskInstitution
{
    public static IEndpointRouteBuilder MapKioskInstitution(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/kiosk/institution", GetKioskInstitutionAsync).WithTags("Kiosk")
            .WithSummary("The institution this terminal serves and its type (a school's or a hospital's wording on the kiosk)")
            .ProducesProblems(StatusCodes.Status409Conflict).Public();
        return app;
    }

    // Before its first pull the terminal knows no institution: 409 not_synced, as the shift report answers then.
    private static async Task<Results<JsonOk<InstitutionDto>, ProblemResult>> GetKioskInstitutionAsync(CatalogueStore catalogue, CancellationToken ct)
    {
        if (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is not { } institution)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, "not_synced", "The terminal has not synced its institution yet.");
        }

        var account = institution.Account;
        return JsonOk.Of(new InstitutionDto(institution.Id, institution.Name, institution.Type.WireName(), institution.District,
            account?.BankBin, account?.AccountNumber, account?.AccountName, account?.BankName), ContractsJsonContext.Default.InstitutionDto);
    }
}
