using System.Buffers;
using System.Security.Cryptography;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>A request body read up to a bound, with its SHA-256 worked out as it streams in.</summary>
/// <param name="Bytes">The body, or null when it was larger than the bound (only the bound and a chunk were read).</param>
/// <param name="Sha256">The body's SHA-256 (empty when too large).</param>
/// <param name="Declared">The length the sender declared (<c>Content-Length</c>), if any.</param>
internal sealed record BoundedBody(byte[]? Bytes, byte[] Sha256, long? Declared)
{
    private const int Chunk = 16 * 1024;

    /// <summary>True when the body was larger than the bound: answer 413 and close the connection.</summary>
    public bool TooLarge => Bytes is null;

    /// <summary>
    /// Reads at most <paramref name="max"/> bytes of the request body. A declared length over the bound is refused
    /// before a byte is read; an undeclared (chunked) one is refused as soon as it passes the bound. Memory held is
    /// the bound, never what the sender chose to send.
    /// </summary>
    public static async Task<BoundedBody> ReadAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > max)
        {
            return new(null, [], declared);
        }

        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return new([], SHA256.HashData(ReadOnlySpan<byte>.Empty), 0); // a GET: nothing to read
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            using var body = new MemoryStream((int)Math.Min(declared ?? Chunk, max));
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, Chunk), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > max)
                {
                    return new(null, [], declared);
                }

                hash.AppendData(chunk, 0, read);
                body.Write(chunk, 0, read);
            }

            return new(body.ToArray(), hash.GetHashAndReset(), declared);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// Marks the connection to close after the answer: Kestrel then does not read (drain) the rest of a body that
    /// was refused unread, so a sender of 16 MB costs a few kilobytes.
    /// </summary>
    public static void CloseAfterAnswer(HttpContext http) => http.Response.Headers.Connection = "close";
}
