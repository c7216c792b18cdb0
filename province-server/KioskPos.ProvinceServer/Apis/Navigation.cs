using System.Net;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>The bar on top of the province server's pages: where to go, who is signed in, sign out.</summary>
internal static class Navigation
{
    public static string Bar(ProvinceUser user)
    {
        var role = user.IsAdmin ? "quản trị tỉnh / province administrator" : $"kế toán / accountant, {user.InstitutionId}";
        var links = user.IsAdmin
            ? """<a href="/">Tổng quan</a> · <a href="/report">Tiến độ kế hoạch</a> · <a href="/reconciliation">Đối soát</a>"""
            : """<a href="/report">Tiến độ kế hoạch</a> · <a href="/reconciliation">Đối soát</a>""";
        return $"""
            <nav style="display:flex;gap:1rem;justify-content:space-between;align-items:center;border-bottom:1px solid #ccd;padding-bottom:.5rem;margin-bottom:1rem">
            <span>{links}</span><span>{HtmlText.Encode(user.FullName)} ({HtmlText.Encode(role)})
            <form method="post" action="/logout" style="display:inline"><button type="submit">Đăng xuất</button></form></span></nav>
            """;
    }
}
