using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;

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

        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return new([], SHA256.HashData(ReadOnlySpan<byte>.Empty), 0); // a GET: nothing to read
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            using var body = new MemoryStream((int)Math.Min(declared ?? Chunk, max));
            int read;
            while ((read = await ReadChunkAsync(request.Body, chunk, cancellationToken).ConfigureAwait(false)) > 0)
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

    // -1 when Kestrel refused to read on (past the limit set by Limit): as good as too large.
    private static async Task<int> ReadChunkAsync(Stream body, byte[] chunk, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(chunk.AsMemory(0, Chunk), cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return int.MaxValue;
        }
    }

    /// <summary>
    /// Tells Kestrel the most it may read of this request's body, before a byte of it is read: past it Kestrel stops
    /// reading and closes the connection, also when it would otherwise read (drain) the rest of a body the endpoint
    /// refused unread. Call first thing in an endpoint that bounds its body.
    /// </summary>
    public static void Limit(HttpContext http, long max)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = max;
        }
    }

    /// <summary>Asks for the connection to be closed after the answer: a refused sender starts again from its headers.</summary>
    public static void CloseAfterAnswer(HttpContext http)
    {
        if (http.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false })
        {
            http.Response.Headers.Connection = "close";
        }
    }
}
