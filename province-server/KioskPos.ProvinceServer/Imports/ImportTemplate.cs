using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// The import template accountants download (<c>GET /api/v1/bills/import-template</c>): an .xlsx in Vietnamese with
/// a merged title row, the header row <see cref="SpreadsheetImport"/> looks for, and one example row — what the
/// import reads back unchanged (a test imports it).
/// </summary>
internal static class ImportTemplate
{
    /// <summary>The header row, in the import's Vietnamese column names.</summary>
    public static readonly string[] Headers = ["STT", "Mã khoản thu", "Mã đơn vị", "Mã người nộp", "Họ và tên", "Lớp", "Loại", "Tiêu đề", "Hạn nộp", "Nội dung", "Số lượng", "Đơn giá", "Miễn giảm"];

    public static IEndpointRouteBuilder MapImportTemplate(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/bills/import-template", () => TypedResults.File(Build(), Spreadsheet.ContentType, "mau-nhap-khoan-thu.xlsx"))
            .RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant).WithTags("Admin").WithSummary("The bill import template (.xlsx, Vietnamese)")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        return app;
    }

    public static byte[] Build()
    {
        using var memory = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(memory, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(TextRow(1, ["MẪU NHẬP KHOẢN THU (học phí, bán trú, viện phí)"]));
            data.Append(TextRow(2, ["Mỗi dòng một nội dung thu; các dòng cùng mã khoản thu là một khoản. Loại: hoc_phi, ban_tru, vien_phi, tam_ung, khac. Tiền ghi 1.250.000; ngày dd/MM/yyyy."]));
            data.Append(TextRow(4, Headers));
            data.Append(TextRow(5, ["1", "HP-2701-HS240001", "TG-THCS-NGUYENDU", "HS240001", "Nguyễn Văn An", "6A", "hoc_phi", "Học phí tháng 1/2027", "31/01/2027", "Học phí tháng 1/2027", "1", "150.000", "0"]));
            sheetPart.Worksheet = new Worksheet(data, new MergeCells(new MergeCell { Reference = "A1:M1" }, new MergeCell { Reference = "A2:M2" }));
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "Khoản thu" }));
        }

        return memory.ToArray();
    }

    private static Row TextRow(uint number, string[] values)
    {
        var row = new Row { RowIndex = number };
        for (var c = 0; c < values.Length; c++)
        {
            row.Append(new Cell { CellReference = Spreadsheet.Letters(c) + number, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(values[c])) });
        }

        return row;
    }
}
