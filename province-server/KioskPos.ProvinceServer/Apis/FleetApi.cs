using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Fleet updates (issue 28), for the administrator: a version and a maintenance window per channel, terminals put on
/// channels. Terminals learn their channel's target at their pull and report the outcome with their state; the
/// overview shows both per terminal.
/// </summary>
internal static class FleetApi
{
    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin").RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("Fleet updates").ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        group.MapGet("/update-channels", GetChannelsAsync).WithSummary("The update channels: each one's target version, window and terminals");
        group.MapPut("/update-channels/{name}", PutChannelAsync).WithSummary("Set a channel's target version and maintenance window (creates the channel)")
            .AcceptsJson<UpdateChannelRequest>().ProducesProblems(StatusCodes.Status400BadRequest);
        group.MapPut("/terminals/{id}/update-channel", PutTerminalChannelAsync).WithSummary("Put a terminal on an update channel")
            .AcceptsJson<TerminalChannelRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        app.MapFleetRepository(); // only when FleetRepository:Directory is set
        return app;
    }

    private static async Task<JsonOk<IReadOnlyList<UpdateChannel>>> GetChannelsAsync(FleetUpdates fleet, CancellationToken ct) =>
        JsonOk.Of(await fleet.ChannelsAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListUpdateChannel);

    private static async Task<Results<NoContent, ProblemResult>> PutChannelAsync(string name, HttpContext http, FleetUpdates fleet)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.UpdateChannelRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body {\"targetVersion\", \"windowStart\", \"windowEnd\"} is required.");
        }

        if (FleetUpdates.Problem(name, request) is { } problem)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_channel", $"{problem.Field}: {problem.Message}");
        }

        await fleet.PutChannelAsync(name, request, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemResult>> PutTerminalChannelAsync(string id, HttpContext http, FleetUpdates fleet)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.TerminalChannelRequest, http.RequestAborted).ConfigureAwait(false);
        if (request?.Channel is not { Length: > 0 } channel)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_channel", error ?? "channel: the name of an update channel is required");
        }

        var (terminalFound, channelFound) = await fleet.AssignAsync(id, channel, http.RequestAborted).ConfigureAwait(false);
        if (!channelFound)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_channel", $"channel: no update channel '{channel}'");
        }

        return terminalFound ? TypedResults.NoContent() : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "terminal_not_found", null, args: [id]);
    }
}
