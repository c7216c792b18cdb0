namespace KioskPos.Fuzz.Targets;

/// <summary>Every fuzz target. Adding one: a class implementing <see cref="IFuzzTarget"/>, a line here, a folder of seeds under Corpus/.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new VietQrTarget(),
        new TransferTextTarget(),
        new PrinterStatusTarget(),
        new EscPosEmulatorTarget(),
        new EvdevTarget(),
        new HeadphoneJackTarget(),
        new SerialReaderTarget(),
        new SyncPushTarget(),
        new SyncRequestsTarget(),
        new BankWebhookTarget(),
        new BillImportCsvTarget(),
        new BillImportJsonTarget(),
        new BillImportXlsxTarget(),
        new BankStatementTarget(),
        new HospitalXmlTarget(),
        new CitizenIdQrTarget(),
        new TrueTypeFaceTarget(),
    ];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
