using System.Globalization;
using System.Security;
using System.Text;

namespace KioskPos.ProvinceServer.Tests.Imports;

/// <summary>
/// Builds files in the Ministry of Health's XML output standard (QĐ 130/QĐ-BYT as amended by QĐ 4750/QĐ-BYT) for the
/// import tests and the benchmark. Where the shape comes from: the wrapper (GIAMDINHHS → THONGTINDONVI/MACSKCB,
/// THONGTINHOSO/NGAYLAP, SOLUONGHOSO, DANHSACHHOSO/HOSO/FILEHOSO with LOAIHOSO and NOIDUNGFILE, the table base64 or
/// plain) from ../shared/reference/institution-data.md and public HIS viewers of 4750 files; the tables' root and row
/// elements and their fields in the standard's order (XML1 TONG_HOP: MA_LK, STT, MA_BN, HO_TEN, SO_CCCD, NGAY_SINH,
/// …, T_TONGCHI_BV, T_TONGCHI_BH, T_BNTT, T_BNCCT, T_BHTT, T_BHTT_GDV, T_NGUONKHAC, …; XML2
/// CHITIEU_CHITIET_THUOC/DSACH_CHI_TIET_THUOC/CHI_TIET_THUOC with SO_LUONG, DON_GIA, THANH_TIEN_BV, THANH_TIEN_BH,
/// T_NGUONKHAC, MUC_HUONG, T_BNTT, T_BNCCT, T_BHTT; XML3 CHITIEU_CHITIET_DVKT_VTYT/DSACH_CHI_TIET_DVKT/CHI_TIET_DVKT
/// with DON_GIA_BV, DON_GIA_BH, THANH_TIEN_BV, …) from the table definitions of a public open-source 4750 XML viewer
/// (its XML_DEFINITIONS list, read through the code search); dates yyyyMMddHHmm as that viewer parses them. Fields
/// the import does not read are written with plausible values so the rows look like a real export's, not ours.
/// </summary>
internal static class MohXmlFixture
{
    /// <summary>How a table sits inside NOIDUNGFILE.</summary>
    public enum Packing
    {
        /// <summary>Base64 of the UTF-8 table (what most exporters write).</summary>
        Base64,

        /// <summary>The table's elements directly inside NOIDUNGFILE.</summary>
        PlainElements,

        /// <summary>The table as escaped text inside NOIDUNGFILE.</summary>
        PlainText,
    }

    /// <summary>One row of XML2 (drug) or XML3 (service); money in đồng.</summary>
    public sealed record Row(bool Drug, string Code, string Name, decimal Quantity, decimal UnitPrice, decimal Bhtt, decimal Bncct, decimal Bntt, decimal NguonKhac = 0)
    {
        public decimal ThanhTienBv => Quantity * UnitPrice;
    }

    /// <summary>One episode; the XML1 totals are the rows' sums unless <paramref name="TotalsOverride"/> changes one (to make a file that does not add up).</summary>
    public sealed record Episode(string MaLk, string MaBn, string HoTen, string? SoCccd, string NgaySinh, IReadOnlyList<Row> Rows, Packing How = Packing.Base64,
        IReadOnlyDictionary<string, decimal>? TotalsOverride = null);

    public static string File(string maCskcb, IEnumerable<Episode> episodes)
    {
        var list = episodes.ToList();
        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<GIAMDINHHS xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n");
        xml.Append("  <THONGTINDONVI><MACSKCB>").Append(maCskcb).Append("</MACSKCB></THONGTINDONVI>\n");
        xml.Append("  <THONGTINHOSO><NGAYLAP>20261205</NGAYLAP><SOLUONGHOSO>").Append(list.Count).Append("</SOLUONGHOSO><DANHSACHHOSO>\n");
        foreach (var episode in list)
        {
            xml.Append("    <HOSO>\n");
            AppendFile(xml, "XML1", Xml1(maCskcb, episode), episode.How);
            if (episode.Rows.Any(r => r.Drug))
            {
                AppendFile(xml, "XML2", Xml2(episode), episode.How);
            }

            if (episode.Rows.Any(r => !r.Drug))
            {
                AppendFile(xml, "XML3", Xml3(episode), episode.How);
            }

            // A table the import skips (clinical progress, XML5), as real files carry.
            AppendFile(xml, "XML5", $"<CHITIEU_CHITIET_DIENBIENLAMSANG><DSACH_CHI_TIET_DIEN_BIEN_BENH><CHI_TIET_DIEN_BIEN_BENH><MA_LK>{episode.MaLk}</MA_LK><STT>1</STT><DIEN_BIEN_LS>Ổn định</DIEN_BIEN_LS></CHI_TIET_DIEN_BIEN_BENH></DSACH_CHI_TIET_DIEN_BIEN_BENH></CHITIEU_CHITIET_DIENBIENLAMSANG>", episode.How);
            xml.Append("    </HOSO>\n");
        }

        xml.Append("  </DANHSACHHOSO></THONGTINHOSO>\n  <CHUKYDONVI />\n</GIAMDINHHS>\n");
        return xml.ToString();
    }

    private static void AppendFile(StringBuilder xml, string kind, string table, Packing how)
    {
        xml.Append("      <FILEHOSO><LOAIHOSO>").Append(kind).Append("</LOAIHOSO><NOIDUNGFILE>");
        xml.Append(how switch
        {
            Packing.Base64 => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"utf-8\"?>" + table)),
            Packing.PlainElements => table,
            _ => SecurityElement.Escape(table),
        });
        xml.Append("</NOIDUNGFILE></FILEHOSO>\n");
    }

    private static string N(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Xml1(string maCskcb, Episode e)
    {
        decimal Total(string field, decimal sum) => e.TotalsOverride is { } o && o.TryGetValue(field, out var v) ? v : sum;
        var tong = Total("T_TONGCHI_BV", e.Rows.Sum(r => r.ThanhTienBv));
        return $"<TONG_HOP><MA_LK>{e.MaLk}</MA_LK><STT>1</STT><MA_BN>{e.MaBn}</MA_BN><HO_TEN>{SecurityElement.Escape(e.HoTen)}</HO_TEN><SO_CCCD>{e.SoCccd}</SO_CCCD>" +
            $"<NGAY_SINH>{e.NgaySinh}</NGAY_SINH><GIOI_TINH>2</GIOI_TINH><NHOM_MAU /><MA_QUOCTICH>000</MA_QUOCTICH><MA_DANTOC>01</MA_DANTOC><MA_NGHE_NGHIEP>00000</MA_NGHE_NGHIEP>" +
            $"<DIA_CHI>Ấp Long Hòa, xã Long An, huyện Châu Thành, tỉnh Tiền Giang</DIA_CHI><MATINH_CU_TRU>82</MATINH_CU_TRU><MAHUYEN_CU_TRU>821</MAHUYEN_CU_TRU><MAXA_CU_TRU>28564</MAXA_CU_TRU>" +
            $"<DIEN_THOAI /><MA_THE_BHYT>HN4828200012345</MA_THE_BHYT><MA_DKBD>82012</MA_DKBD><GT_THE_TU>20260101</GT_THE_TU><GT_THE_DEN>20261231</GT_THE_DEN><NGAY_MIEN_CCT />" +
            $"<LY_DO_VV>Đau bụng</LY_DO_VV><CHAN_DOAN_VAO>Viêm dạ dày</CHAN_DOAN_VAO><CHAN_DOAN_RV>Viêm dạ dày</CHAN_DOAN_RV><MA_BENH_CHINH>K29.7</MA_BENH_CHINH><MA_BENH_KT />" +
            $"<MA_DOITUONG_KCB>1.1</MA_DOITUONG_KCB><NGAY_VAO>202612010730</NGAY_VAO><NGAY_VAO_NOI_TRU /><NGAY_RA>202612011015</NGAY_RA><SO_NGAY_DTRI>0</SO_NGAY_DTRI>" +
            $"<KET_QUA_DTRI>1</KET_QUA_DTRI><MA_LOAI_RV>1</MA_LOAI_RV><NGAY_TTOAN>202612011030</NGAY_TTOAN>" +
            $"<T_THUOC>{N(e.Rows.Where(r => r.Drug).Sum(r => r.ThanhTienBv))}</T_THUOC><T_VTYT>0</T_VTYT><T_TONGCHI_BV>{N(tong)}</T_TONGCHI_BV><T_TONGCHI_BH>{N(e.Rows.Sum(r => r.Bhtt + r.Bncct))}</T_TONGCHI_BH>" +
            $"<T_BNTT>{N(Total("T_BNTT", e.Rows.Sum(r => r.Bntt)))}</T_BNTT><T_BNCCT>{N(Total("T_BNCCT", e.Rows.Sum(r => r.Bncct)))}</T_BNCCT><T_BHTT>{N(Total("T_BHTT", e.Rows.Sum(r => r.Bhtt)))}</T_BHTT>" +
            $"<T_BHTT_GDV>0</T_BHTT_GDV><T_NGUONKHAC>{N(e.Rows.Sum(r => r.NguonKhac))}</T_NGUONKHAC><NAM_QT>2026</NAM_QT><THANG_QT>12</THANG_QT><MA_LOAI_KCB>01</MA_LOAI_KCB>" +
            $"<MA_KHOA>K01</MA_KHOA><MA_CSKCB>{maCskcb}</MA_CSKCB><MA_KHUVUC /><CAN_NANG /><NGAY_TAI_KHAM /><MA_HSBA>{e.MaLk}</MA_HSBA><MA_TTDV>0001/TG-CCHN</MA_TTDV><DU_PHONG /></TONG_HOP>";
    }

    private static string Xml2(Episode e)
    {
        var rows = new StringBuilder();
        var stt = 0;
        foreach (var r in e.Rows.Where(r => r.Drug))
        {
            stt++;
            rows.Append($"<CHI_TIET_THUOC><MA_LK>{e.MaLk}</MA_LK><STT>{stt}</STT><MA_THUOC>{r.Code}</MA_THUOC><MA_PP_CHEBIEN /><MA_CSKCB_THUOC /><MA_NHOM>4</MA_NHOM>" +
                $"<TEN_THUOC>{SecurityElement.Escape(r.Name)}</TEN_THUOC><DON_VI_TINH>Viên</DON_VI_TINH><HAM_LUONG>500mg</HAM_LUONG><DUONG_DUNG>1.01</DUONG_DUNG><LIEU_DUNG>2 viên/ngày</LIEU_DUNG>" +
                $"<SO_DANG_KY>VD-12345-20</SO_DANG_KY><TT_THAU>G1;N1;2026</TT_THAU><PHAM_VI>1</PHAM_VI><TYLE_TT_BH>100</TYLE_TT_BH><SO_LUONG>{N(r.Quantity)}</SO_LUONG><DON_GIA>{N(r.UnitPrice)}</DON_GIA>" +
                $"<THANH_TIEN_BV>{N(r.ThanhTienBv)}</THANH_TIEN_BV><THANH_TIEN_BH>{N(r.Bhtt + r.Bncct)}</THANH_TIEN_BH><T_NGUONKHAC_NSNN>0</T_NGUONKHAC_NSNN><T_NGUONKHAC_VTNN>0</T_NGUONKHAC_VTNN>" +
                $"<T_NGUONKHAC_VTTN>0</T_NGUONKHAC_VTTN><T_NGUONKHAC_CL>0</T_NGUONKHAC_CL><T_NGUONKHAC>{N(r.NguonKhac)}</T_NGUONKHAC><MUC_HUONG>80</MUC_HUONG><T_BNTT>{N(r.Bntt)}</T_BNTT>" +
                $"<T_BNCCT>{N(r.Bncct)}</T_BNCCT><T_BHTT>{N(r.Bhtt)}</T_BHTT><MA_KHOA>K01</MA_KHOA><MA_BAC_SI>0001/TG-CCHN</MA_BAC_SI><MA_DICH_VU /><NGAY_YL>202612010800</NGAY_YL>" +
                $"<NGAY_TH_YL>202612010810</NGAY_TH_YL><MA_PTTT>1</MA_PTTT><NGUON_CTRA>1</NGUON_CTRA><DU_PHONG /></CHI_TIET_THUOC>");
        }

        return $"<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>{rows}</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>";
    }

    private static string Xml3(Episode e)
    {
        var rows = new StringBuilder();
        var stt = 0;
        foreach (var r in e.Rows.Where(r => !r.Drug))
        {
            stt++;
            rows.Append($"<CHI_TIET_DVKT><MA_LK>{e.MaLk}</MA_LK><STT>{stt}</STT><MA_DICH_VU>{r.Code}</MA_DICH_VU><MA_PTTT_QT /><MA_VAT_TU /><MA_NHOM>1</MA_NHOM><GOI_VTYT /><TEN_VAT_TU />" +
                $"<TEN_DICH_VU>{SecurityElement.Escape(r.Name)}</TEN_DICH_VU><MA_XANG_DAU /><DON_VI_TINH>Lần</DON_VI_TINH><PHAM_VI>{(r.Bhtt > 0 ? 1 : 2)}</PHAM_VI><SO_LUONG>{N(r.Quantity)}</SO_LUONG>" +
                $"<DON_GIA_BV>{N(r.UnitPrice)}</DON_GIA_BV><DON_GIA_BH>{N(r.Bhtt > 0 ? r.UnitPrice : 0)}</DON_GIA_BH><TT_THAU /><TYLE_TT_DV>100</TYLE_TT_DV><TYLE_TT_BH>100</TYLE_TT_BH>" +
                $"<THANH_TIEN_BV>{N(r.ThanhTienBv)}</THANH_TIEN_BV><THANH_TIEN_BH>{N(r.Bhtt + r.Bncct)}</THANH_TIEN_BH><T_TRANTT /><MUC_HUONG>80</MUC_HUONG><T_NGUONKHAC_NSNN>0</T_NGUONKHAC_NSNN>" +
                $"<T_NGUONKHAC_VTNN>0</T_NGUONKHAC_VTNN><T_NGUONKHAC_VTTN>0</T_NGUONKHAC_VTTN><T_NGUONKHAC_CL>0</T_NGUONKHAC_CL><T_NGUONKHAC>{N(r.NguonKhac)}</T_NGUONKHAC>" +
                $"<T_BNTT>{N(r.Bntt)}</T_BNTT><T_BNCCT>{N(r.Bncct)}</T_BNCCT><T_BHTT>{N(r.Bhtt)}</T_BHTT><MA_KHOA>K01</MA_KHOA><MA_GIUONG /><MA_BAC_SI>0001/TG-CCHN</MA_BAC_SI>" +
                $"<NGUOI_THUC_HIEN>0001/TG-CCHN</NGUOI_THUC_HIEN><MA_BENH>K29.7</MA_BENH><NGAY_YL>202612010745</NGAY_YL><NGAY_TH_YL>202612010750</NGAY_TH_YL><NGAY_KQ>202612010800</NGAY_KQ>" +
                $"<MA_PTTT>1</MA_PTTT><PP_VO_CAM /><MA_MAY /><TAI_SU_DUNG /><DU_PHONG /></CHI_TIET_DVKT>");
        }

        return $"<CHITIEU_CHITIET_DVKT_VTYT><DSACH_CHI_TIET_DVKT>{rows}</DSACH_CHI_TIET_DVKT></CHITIEU_CHITIET_DVKT_VTYT>";
    }
}
