namespace KioskPos.Terminal.Speech;

/// <summary>The speech engine, its player, the payment announcer and the headphone jack.</summary>
internal static class SpeechRegistration
{
    public static IServiceCollection AddSpeech(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SpeechOptions>(configuration.GetSection(SpeechOptions.Section));
        services.AddSingleton<SpeechEngine>().AddHostedService(sp => sp.GetRequiredService<SpeechEngine>());
        services.AddSingleton<PaymentAnnouncer>();
        services.AddSingleton<Headphones>();
        services.AddHostedService<HeadphoneListener>();
        return services;
    }
}
