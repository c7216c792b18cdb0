using KioskPos.Core.VietQr;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>
/// User-defined characters: ESC &amp; defines patterns for codes 32-126 (per font), ESC % 1 prints them in place of
/// those codes, ESC ? n deletes one. Definitions go with ESC @ and GS * (a downloaded bit image shares their memory,
/// and defining characters clears that image), as ESC/POS manuals give it.
/// </summary>
public sealed partial class EscPosEmulator
{
    private readonly Dictionary<(bool FontB, byte Code), MonoBitmap> _userCharacters = [];
    private bool _userCharactersSelected;

    // ESC & y c1 c2 [x1 d1...d(y × x1)]...[xk d1...d(y × xk)], k = c2 − c1 + 1: y bytes a column (3: 24 dots), x
    // columns (at most 12 for font A, 9 for B) from the left of the character's cell, most significant bit on top.
    private int DefineUserCharacters()
    {
        if (_input.Count < 5)
        {
            return 0;
        }

        int y = At(2), first = At(3), last = At(4);
        if (y is 0 or > 3 || first < 0x20 || last > 0x7E || first > last)
        {
            return Unknown(2);
        }

        var at = 5;
        var glyphs = new List<(byte Code, MonoBitmap Glyph)>(last - first + 1);
        for (var code = first; code <= last; code++)
        {
            if (_input.Count <= at)
            {
                return 0;
            }

            var x = At(at);
            if (x > 12)
            {
                return Unknown(2);
            }

            var length = y * x;
            if (_input.Count < at + 1 + length)
            {
                return 0;
            }

            glyphs.Add(((byte)code, FromColumns(_input.Slice(at + 1, length), x, y * 8)));
            at += 1 + length;
        }

        foreach (var (code, glyph) in glyphs)
        {
            _userCharacters[(_fontB, code)] = glyph;
        }

        _downloadedImage = null;
        return at;
    }

    private bool TryAddUserCharacter(byte code)
    {
        if (!_userCharactersSelected || !_userCharacters.TryGetValue((_fontB, code), out var glyph))
        {
            return false;
        }

        // The pattern in the character's cell (12 × 24 for font A, 9 × 17 for B: B keeps the top 17 rows), in the
        // selected size; drawn as the line's picture, so it is no text of the page.
        var (width, height) = _fontB ? (9, 17) : (CellWidth, CellHeight);
        var stride = (width + 7) / 8;
        var cell = new byte[stride * height];
        for (var row = 0; row < Math.Min(height, glyph.Height); row++)
        {
            for (var column = 0; column < Math.Min(width, glyph.Width); column++)
            {
                if (glyph[column, row])
                {
                    cell[(row * stride) + (column >> 3)] |= (byte)(0x80 >> (column & 7));
                }
            }
        }

        var image = Scaled(new MonoBitmap(width, height, cell), _widthMul, _heightMul);
        var dots = image.Width + _charSpacing;
        if (_lineCells.Count > 0 && LineDots + dots > PrintArea)
        {
            FlushLine(feed: true);
        }

        _lineCells.Add(new Cell(' ', false, false, false, false, _fontB, _widthMul, _heightMul, dots, image));
        return true;
    }

    private void DeleteUserCharacter(byte code) => _userCharacters.Remove((_fontB, code));

    private void ClearUserCharacters() => _userCharacters.Clear();
}
