namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// A form posted by one of the province's own pages (sign-in, the reconciliation's resolve button, the bank simulator),
/// read so that a body that is no form is a 400 problem naming the body, never an exception the host turns into a 500:
/// <c>ReadFormAsync</c> throws <see cref="InvalidOperationException"/> for another content type or none,
/// <see cref="InvalidDataException"/> for a multipart body without a boundary or past the form limits,
/// <see cref="IOException"/> ("Unexpected end of Stream") for a multipart body cut short, and
/// <see cref="BadHttpRequestException"/> (413) past <see cref="MaxBytes"/>.
/// </summary>
internal static class FormPost
{
    /// <summary>What a page's form may weigh: a few short fields, with room to spare.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>
    /// The form, or the problem to answer (code <c>not_a_form</c>, titled by <c>province.problem.{titleKey}</c>);
    /// <paramref name="expected"/> says what the endpoint takes, for a body of another type.
    /// </summary>
    public static async Task<(IFormCollection? Form, ProblemResult? Problem)> ReadAsync(HttpContext http, string expected, string titleKey)
    {
        if (!http.Request.HasFormContentType)
        {
            return (null, NotAForm(StatusCodes.Status400BadRequest, $"body: {expected}", titleKey));
        }

        BoundedBody.Limit(http, MaxBytes);
        try
        {
            return (await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false), null);
        }
        catch (BadHttpRequestException e)
        {
            // Before IOException, which it derives from: it carries its own status (413 past the bound).
            return (null, NotAForm(e.StatusCode, $"body: {e.Message}", titleKey));
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return (null, NotAForm(StatusCodes.Status400BadRequest, $"body: not a complete form ({e.Message})", titleKey));
        }
    }

    private static ProblemResult NotAForm(int status, string detail, string titleKey) =>
        ProvinceProblems.Problem(status, "not_a_form", detail, titleKey);
}
