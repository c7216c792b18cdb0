using KioskPos.Core.Hardware;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Printing;
using KioskPos.Firmware.Readers;
using KioskPos.Firmware.Transports;
#if SIMULATORS
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Terminal.Simulation;
#endif
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Sync;
using KioskPos.Terminal.Apis;
using KioskPos.Terminal.Screens;
using KioskPos.Terminal.Services;
using KioskPos.Terminal.Speech;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

// Dapper.AOT generates the row mapping of this assembly's Dapper calls (metrics, the journal export) at build time.
[module: Dapper.DapperAot]

namespace KioskPos.Terminal;

/// <summary>Builds the terminal application: configuration, devices, storage, sync, endpoints. Used by <c>Program</c> and the tests.</summary>
public static class TerminalApp
{
    /// <summary>The address the terminal listens on unless told otherwise: loopback only, for the kiosk browser.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>The development flag that maps <c>/dev/*</c> (with simulated devices, in a build with the simulators).</summary>
    public const string DevEndpointsSetting = "Terminal:DevEndpoints";

    /// <summary>Builds the application from configuration arguments (<c>--Terminal:Id=...</c>, <c>--urls=...</c>).</summary>
    public static WebApplication Build(string[] args) => Build(args, null);

    /// <summary>Builds the application; <paramref name="configureFirst"/> registers services before the defaults (tests: a hardware clock that is off).</summary>
    internal static WebApplication Build(string[] args, Action<IServiceCollection>? configureFirst)
    {
        // The slim builder (issue #26: less of the web host in the native executable): no HTTPS endpoints from
        // configuration, no regex route constraints, no host filtering, console logging only; the terminal serves
        // HTTP on loopback to its own kiosk browser and needs none of them.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

        // The enrolment file (written by `enroll`) names this terminal and its server. It ranks above appsettings
        // and below environment variables and the command line, so an operator can still override the server.
        var dataDirectory = builder.Configuration[$"{TerminalOptions.Section}:DataDirectory"] ?? new TerminalOptions().DataDirectory;

        // The data folder is the terminal's own: on a new machine it does not exist yet (before enrolment).
        Directory.CreateDirectory(dataDirectory);
        var enrolmentFile = Path.GetFullPath(Path.Combine(dataDirectory, DeviceIdentity.EnrolmentFileName));
        var sources = builder.Configuration.Sources;
        var afterAppSettings = sources.Select((source, index) => (source, index))
            .LastOrDefault(x => x.source is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource).index + 1;
        // The installed terminal's own settings (/etc/kioskpos/terminal.json, named by KIOSKPOS_CONFIG in the unit),
        // above appsettings; the enrolment file above it.
        if (Environment.GetEnvironmentVariable("KIOSKPOS_CONFIG") is { Length: > 0 } configFile)
        {
            var full = Path.GetFullPath(configFile);
            sources.Insert(afterAppSettings++, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
            {
                Path = Path.GetFileName(full),
                Optional = true,
                FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetDirectoryName(full)!),
            });
        }

        sources.Insert(afterAppSettings, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = DeviceIdentity.EnrolmentFileName, // relative to the file provider's folder, or it is never found
            Optional = true,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetDirectoryName(enrolmentFile)!),
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
        // Under systemd (the .deb's unit, Type=notify): ready when listening, stopping on SIGTERM, logs to journald.
        builder.Host.UseSystemd();
        var recentLog = new RecentLog();
        builder.Logging.AddProvider(recentLog);
        builder.Services.AddSingleton(recentLog);
        configureFirst?.Invoke(builder.Services);
        builder.Services.AddTerminal(builder.Configuration);
        var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(WriteUnhandledErrorAsync));
        app.UseApiErrorAnswers("/api", (http, status, code, detail) => ApiProblems.Relay(status, code, ApiProblems.Title(ApiErrorAnswers.TitleKey(status)), detail).ExecuteAsync(http));
        app.UseScreenFiles();
        app.UseRouting();
        // A session's changes, and signing in or out, only from the terminal's own pages (before the session or body is
        // read, and before the request counts as activity).
        app.UseCrossOriginRequestCheck(CounterApi.SessionCookie, (http, status, code, detail) => ApiProblems.Create(status, code, detail).ExecuteAsync(http));
        app.UseRequestLatencies();
        app.UseStaffAccess();
        app.MapHealthChecks("/health").ExcludeFromDescription().Public();
        app.MapOpenApi().Public();
        app.MapMetrics();
        app.MapStatusApi();
        app.MapPaymentApi();
        app.MapTopUpApi();
        app.MapCitizenIdApi();
        app.MapDisplayApi();
        app.MapPrinterApi();
        app.MapCounterApi();
        app.MapCardApi();
        app.MapAccountApi();
        app.MapKioskApi();
        app.MapTechApi();
        app.MapSpeechApi();
        app.MapScreens();
#if SIMULATORS
        // Tapping any card and reading the emulator's paper are for development only: mapped when asked for
        // (make run and the tests pass Terminal:DevEndpoints=true) and a device is simulated, never in a build
        // without the simulators.
        if (app.Configuration.GetValue<bool>(DevEndpointsSetting) && app.Services.GetRequiredService<IOptions<HardwareOptions>>().Value.IsSimulated)
        {
            app.MapDevApi();
        }
#endif

        return app;
    }

    /// <summary>Registers the terminal's services.</summary>
    public static IServiceCollection AddTerminal(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TerminalOptions>().Bind(configuration.GetSection(TerminalOptions.Section));
        services.AddOptions<HardwareOptions>().Bind(configuration.GetSection(HardwareOptions.Section));

        // Everything that stamps time uses the clock corrected by the province server's Date header.
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<SyncedClock>());
        services.AddSingleton(sp => TerminalSchema.Open(sp.GetRequiredService<IOptions<TerminalOptions>>().Value.DatabasePath));
        services.AddSingleton(sp => new PaymentStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<IOptions<TerminalOptions>>().Value.Id, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CatalogueStore>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<PrintQueueStore>();
        services.AddSingleton<ReversalStore>();
        services.AddSingleton(sp => new ShiftStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<TerminalOptions>>().Value.Id));
        services.AddSingleton<CardStore>();
        services.AddSingleton(sp => new StaffStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>())
        {
            IdleTimeout = sp.GetRequiredService<IOptions<StaffOptions>>().Value.IdleTimeout,
        });
        services.AddStaffAccess(configuration);
        services.AddPayerLookupLimits();
        services.AddSingleton<PaymentViewTokens>();
        services.AddSingleton<JournalVerifier>();
        services.AddSingleton<SelfTest>();
        services.AddSingleton<TerminalStatus>();
        services.AddSingleton<TestPage>();
        services.AddSingleton<ScreenStreams>();
        services.AddHostedService<SystemdWatchdog>();
        services.AddSingleton<TerminalActivity>();
        services.AddSingleton<MemoryTrimmer>().AddHostedService(sp => sp.GetRequiredService<MemoryTrimmer>());
        services.AddHostedService<EnrolmentTicket>();
        services.AddSingleton<StatusReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusReporter>());
        services.AddHostedService<UpgradeSelfTestRunner>(); // a version started under the upgrade lock checks itself (docs/fleet-updates.md)
        services.AddSingleton<CardPresence>();
        services.AddSingleton<CitizenIdScans>();
        services.AddSingleton<RequestLatencies>();
        services.AddSingleton<PaymentService>();
        services.AddSingleton<ReversalSlips>();
        services.AddSingleton<ProviderQrs>();
        services.AddSingleton<CustomerDisplay>();
        services.AddSpeech(configuration);
        services.AddSingleton<ProvinceLink>();
        services.AddSingleton<QrExpirySignal>();

        // The database is migrated before anything else starts, and before Kestrel listens.
        services.AddHostedService<DatabaseInitializer>();
        services.AddDevices(configuration);
        services.AddHostedService<CardTapListener>();

        services.AddTerminalSync(configuration);
        services.AddHostedService<ConfirmationListener>();
        services.AddHostedService<QrExpiryWatcher>();
        services.AddSingleton<Retention>().AddHostedService(sp => sp.GetRequiredService<Retention>());
        services.PostConfigure<SyncOptions>(sync =>
        {
            var terminal = new TerminalOptions();
            configuration.GetSection(TerminalOptions.Section).Bind(terminal);
            sync.TerminalId = terminal.Id;
            sync.KeyPath = Path.Combine(terminal.DataDirectory, DeviceIdentity.KeyFileName);
        });
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, TerminalJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, ContractsJsonContext.Default);

            // Numbers only as JSON numbers, as the contexts read them (and as the OpenAPI document then says).
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddOpenApi(o => o.AddOperationTransformer(OperationIds.NameAfterHandler));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    // The profile the province pushed (SyncWorker keeps it in the data folder): loaded and checked once, here.
    private static (PushedProfileState State, HardwareProfile? Runnable) LoadPushedProfile(string path)
    {
        var state = new PushedProfileState(path, null, null, null);
        if (!File.Exists(path))
        {
            return (state, null);
        }

        try
        {
            // Checked again where it is run: the file may predate the check, or have been written by hand.
            using (var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path)))
            {
                if (SyncWorker.PushedProfileProblem(document.RootElement, Path.GetDirectoryName(path)!) is { } refused)
                {
                    var name = document.RootElement.TryGetProperty("name", out var n) && n.ValueKind == System.Text.Json.JsonValueKind.String ? n.GetString() : "?";
                    return (state with { Failed = name, Problem = KioskPos.Core.Text.Messages.En("terminal.profile.device_not_allowed", refused) }, null);
                }
            }

            var pushed = HardwareProfile.Load(path);
            return pushed.Validate() is { Count: > 0 } problems
                ? (state with { Failed = pushed.Name, Problem = string.Join("; ", problems) }, null)
                : (state with { Running = pushed.Name }, pushed);
        }
        catch (InvalidOperationException e)
        {
            return (state with { Failed = "?", Problem = e.Message }, null);
        }
        catch (System.Text.Json.JsonException e)
        {
            return (state with { Failed = "?", Problem = e.Message }, null);
        }
    }

    private static void AddDevices(this IServiceCollection services, IConfiguration configuration)
    {
        var hardware = new HardwareOptions();
        configuration.GetSection(HardwareOptions.Section).Bind(hardware);

        // A profile the province pushed wins over the local setting, if it can start on this machine; one that
        // cannot is reported (on /tech and to the province) and the terminal runs its own.
        var dataDirectory = configuration.GetSection(TerminalOptions.Section).GetValue<string>(nameof(TerminalOptions.DataDirectory)) ?? new TerminalOptions().DataDirectory;
        var (pushedState, profile) = LoadPushedProfile(Path.GetFullPath(Path.Combine(dataDirectory, SyncWorker.PushedProfileFileName)));
        if (profile is not null && !hardware.AllowSimulated && profile.IsSimulated)
        {
            // A pushed profile never switches a real terminal to simulators: reported, and the local setting runs.
            (pushedState, profile) = (pushedState with { Running = null, Failed = profile.Name, Problem = SimulationAbsent.NotAllowed("the pushed profile") }, null);
        }

        services.AddSingleton(pushedState);
        if (profile is not null)
        {
            hardware.Profile = pushedState.Path;
        }
        else if (hardware.Profile is { Length: > 0 } profilePath)
        {
            profile = HardwareProfile.Load(profilePath);
            if (profile.Validate() is { Count: > 0 } problems)
            {
                throw new InvalidOperationException($"Hardware profile '{profile.Name}' cannot start on this machine:{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", problems)}");
            }
        }

        if (profile is not null)
        {
            var path = hardware.Profile;
            void Apply(HardwareOptions o)
            {
                o.Profile = path;
                o.CardReader = profile.CardReader;
                o.Printer = profile.Printer;
                o.PaperWidthMm = profile.PaperWidthMm;
                o.PrinterTextMode = profile.PrinterTextMode;
                o.Gpio = profile.Gpio;
                o.LightPin = profile.LightPin;
                o.BuzzerPin = profile.BuzzerPin;
                o.HelpButtonPin = profile.HelpButtonPin;
                (o.ReceiptBarcode, o.CashDrawerPin) = (profile.ReceiptBarcode, profile.CashDrawerPin);
                o.Display = profile.Display;
                (o.Announce, o.SpeakerVolume) = (profile.Announce, profile.SpeakerVolume);
                o.HeadphoneJack = profile.HeadphoneJack ?? o.HeadphoneJack;
            }

            // What the rest of the terminal reads (the /dev endpoints, the status) is the profile's, not the defaults.
            Apply(hardware);
            services.PostConfigure<HardwareOptions>(Apply);
        }

        if (hardware.IsSimulated && !hardware.AllowSimulated)
        {
            throw new InvalidOperationException(SimulationAbsent.NotAllowed("Hardware:CardReader, Hardware:Printer or Hardware:Gpio"));
        }

        IReadOnlyList<CardReaderSetting> readers;
        try
        {
            readers = CardReaderSetting.ParseList(hardware.CardReader);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"Hardware:CardReader: {e.Message}", e);
        }

        if (!ProfileValues.IsPaperWidth(hardware.PaperWidthMm))
        {
            throw new InvalidOperationException($"Hardware:PaperWidthMm must be {ProfileValues.PaperWidths}, not {hardware.PaperWidthMm}.");
        }

        if (!Enum.TryParse<PrinterTextMode>(hardware.PrinterTextMode, ignoreCase: true, out var textMode) || !Enum.IsDefined(textMode))
        {
            throw new InvalidOperationException($"Hardware:PrinterTextMode '{hardware.PrinterTextMode}' is not raster, tcvn3, windows1258 or ascii.");
        }

        var language = new PrinterLanguage(hardware.PaperWidthMm, textMode, hardware.PrinterCodePage, hardware.PrinterCapitalsCodePage, hardware.PrinterCancelDoubleByte) { ReferenceBarcode = hardware.ReceiptBarcode, CashDrawerPin = hardware.CashDrawerPin, DisableRealTimePulse = hardware.PrinterDisableRealTimePulse };
        var transport = hardware.PrinterIsEmulated ? null : PrinterTransports.Parse(hardware.Printer);

        services.AddCardReaders(hardware, readers);
        services.AddIndicators(hardware);
        services.AddCustomerPanel(hardware);
        services.AddSingleton(_ => ReceiptFonts.Load(hardware.FontFolder));
        if (transport is null)
        {
#if SIMULATORS
            services.AddSingleton(sp => new EmulatedReceiptPrinter(
                hardware.ReceiptImages ?? Path.Combine(sp.GetRequiredService<IOptions<TerminalOptions>>().Value.DataDirectory, "receipts"),
                language, sp.GetRequiredService<ReceiptFonts>()));
            services.AddSingleton<IReceiptPrinter>(sp => sp.GetRequiredService<EmulatedReceiptPrinter>());
#else
            throw new InvalidOperationException(SimulationAbsent.Message("Hardware:Printer"));
#endif
        }
        else
        {
            services.AddSingleton<IReceiptPrinter>(sp => new EscPosPrinter(transport, new DocumentEncoder(language, textMode == PrinterTextMode.Raster ? sp.GetRequiredService<ReceiptFonts>() : null)));
        }

        services.AddSingleton<PrintSignal>();
        services.AddSingleton<PrintQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<PrintQueue>());
    }

    private static async Task WriteUnhandledErrorAsync(HttpContext http)
    {
        var error = http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        var (status, code, detail) = error switch
        {
            SqliteException e when e.IsDiskFull() => (StatusCodes.Status507InsufficientStorage, "disk_full", "The terminal's disk is full; the payment was not recorded."),
            SqliteException { SqliteErrorCode: 5 or 6 } => (StatusCodes.Status503ServiceUnavailable, "busy", "The terminal's database is busy; try again."),
            BadHttpRequestException e => (e.StatusCode, "bad_request", e.Message),
            _ => (StatusCodes.Status500InternalServerError, "internal_error", "An internal error; the payment was not recorded."),
        };
        var title = ApiProblems.Title(code);
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(Problems.Create(status, code, title, detail), TerminalJsonContext.Readable.ProblemDto, "application/problem+json").ConfigureAwait(false);
    }

    private sealed class DatabaseInitializer(SqliteDatabase database, ILogger<DatabaseInitializer> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var version = await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Terminal database {Path} at schema version {Version}", database.Path, version);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class DatabaseHealthCheck(SqliteDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await database.IsReadyAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("database not open or not migrated");
    }
}
