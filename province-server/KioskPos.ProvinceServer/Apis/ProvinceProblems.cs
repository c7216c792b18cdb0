global using ProblemResult = Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<KioskPos.Shared.Contracts.ProblemDto>;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Every problem answer of the province server: a <see cref="ProblemDto"/> as <c>application/problem+json</c> with a
/// stable machine <c>code</c>, a title for people from the catalogue (<c>province.problem.{code}</c>, Vietnamese) and a
/// detail for programs. Endpoints declare which statuses they can answer this way with <see cref="ProducesProblems"/>.
/// </summary>
internal static class ProvinceProblems
{
    public const string ContentType = "application/problem+json";

    /// <summary>
    /// A problem titled by the catalogue's <c>province.problem.{code}</c> (or <c>province.problem.{key}</c> where one code
    /// has several titles), formatted with <paramref name="args"/>; <paramref name="detail"/> stays for programs.
    /// </summary>
    public static ProblemResult Problem(int status, string code, string? detail, string? key = null, params object?[] args) =>
        WithTitle(status, code, Messages.Vi("province.problem." + (key ?? code), args), detail);

    /// <summary>A problem whose title was made elsewhere (the terminal registry's refusals, which carry their own).</summary>
    public static ProblemResult WithTitle(int status, string code, string title, string? detail, long? sequence = null) =>
        TypedResults.Json(Problems.Create(status, code, title, detail, sequence), ContractsJsonContext.Default.ProblemDto, ContentType, status);

    /// <summary>The endpoint (or every endpoint of a group) may answer a <see cref="ProblemDto"/> with these statuses.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDto), [ContentType]));
        }

        return builder;
    }

    /// <summary>
    /// The endpoint (or every endpoint of a group) is one the cross-origin check guards, a session reaching it or it
    /// signing in or out: those of its methods that change something may answer 403 <c>cross_origin_request</c>
    /// (<see cref="CrossOriginRequests"/>), and the OpenAPI document says so.
    /// </summary>
    public static TBuilder ProducesCrossOriginRefusal<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        CrossOriginRequests.ProducesRefusal(builder, typeof(ProblemDto), ContentType);
}
