namespace KioskPos.Terminal.Speech;

/// <summary>The speech engine, its player and the payment announcer.</summary>
internal static class SpeechRegistration
{
    public static IServiceCollection AddSpeech(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SpeechOptions>(configuration.GetSection(SpeechOptions.Section));
        services.AddSingleton<SpeechEngine>().AddHostedService(sp => sp.GetRequiredService<SpeechEngine>());
        services.AddSingleton<PaymentAnnouncer>();
        return services;
    }
}
