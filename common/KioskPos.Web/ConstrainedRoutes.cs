using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Web;

/// <summary>
/// The API's routes with a constraint on a parameter (<c>/print-jobs/{id:long}</c>), each with its matcher and its
/// constraints resolved, made once from the endpoint data source: a request no endpoint matched then costs a match
/// against these few (one route on each server today) instead of a walk of the whole route table building a matcher
/// for every endpoint, which a flood of 404s would pay per request.
/// </summary>
/// <remarks>
/// The servers map minimal-API endpoints at startup only, whose data sources never change afterwards; should one
/// change, the composite data source hands out a new endpoint list, and the routes are made again from it.
/// </remarks>
internal sealed class ConstrainedRoutes(IServiceProvider services)
{
    private EndpointDataSource? _source;
    private volatile Snapshot? _snapshot;

    /// <summary>
    /// The route whose shape <paramref name="http"/>'s path has but a constraint of which refuses one of its values
    /// (GET <c>/api/v1/print-jobs/abc</c>), naming that value; null when there is none.
    /// </summary>
    public string? NotMet(HttpContext http)
    {
        foreach (var route in Routes())
        {
            if (route.Methods is { } methods && !methods.Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var values = new RouteValueDictionary();
            if (!route.Matcher.TryMatch(http.Request.Path, values))
            {
                continue;
            }

            foreach (var (name, text, constraint) in route.Constraints)
            {
                if (!constraint.Match(http, null, name, values, RouteDirection.IncomingRequest))
                {
                    return $"{name}: '{values[name]}' does not meet the route's constraint '{text}' ({http.Request.Method} {route.Pattern}).";
                }
            }
        }

        return null;
    }

    private Route[] Routes()
    {
        if ((_source ??= services.GetService<EndpointDataSource>()) is not { } source)
        {
            return [];
        }

        var endpoints = source.Endpoints;
        if (_snapshot is { } snapshot && ReferenceEquals(snapshot.From, endpoints))
        {
            return snapshot.Routes;
        }

        if (services.GetService<IInlineConstraintResolver>() is not { } resolver)
        {
            return [];
        }

        var routes = new List<Route>();
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            var constraints = new List<(string, string, IRouteConstraint)>();
            foreach (var (name, policies) in endpoint.RoutePattern.ParameterPolicies)
            {
                foreach (var policy in policies)
                {
                    if (policy.Content is { } text && resolver.ResolveConstraint(text) is { } constraint)
                    {
                        constraints.Add((name, text, constraint));
                    }
                }
            }

            if (constraints.Count > 0)
            {
                var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } metadata ? metadata.HttpMethods : null;
                var matcher = new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary(endpoint.RoutePattern.Defaults));
                routes.Add(new Route(methods, matcher, [.. constraints], endpoint.RoutePattern.RawText));
            }
        }

        _snapshot = new Snapshot(endpoints, [.. routes]);
        return _snapshot.Routes;
    }

    private sealed record Route(IReadOnlyList<string>? Methods, TemplateMatcher Matcher, (string Name, string Text, IRouteConstraint Constraint)[] Constraints, string? Pattern);

    private sealed record Snapshot(IReadOnlyList<Endpoint> From, Route[] Routes);
}
