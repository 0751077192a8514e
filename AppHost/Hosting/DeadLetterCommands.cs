using Aspire.Hosting.ApplicationModel;

namespace EventDriven.AppHost.Hosting;

internal static class DeadLetterCommands
{
    /// <summary>
    /// The dashboard's "Re-drive dead letters" on a consuming service: its <c>POST /dead-letters/redrive</c>, which
    /// produces every parked message again and answers how many (shown by the dashboard). Meant for after the cause is
    /// fixed; a message that still cannot apply is parked again. The request carries the dashboard's own token.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRedriveDeadLettersCommand(this IResourceBuilder<ProjectResource> builder, DashboardToken token) =>
        builder.WithHttpCommand("/dead-letters/redrive", "Re-drive dead letters", commandName: "redrive-dead-letters",
            commandOptions: new HttpCommandOptions
            {
                Description = "Produces every parked message of this service again to its topic, headers as they were.",
                IconName = "ArrowRedo",
                ConfirmationMessage = "Re-drive every dead letter of this service? Do it once the cause is fixed.",
                ResultMode = HttpCommandResultMode.Json,
                PrepareRequest = token.AuthorizeAsync,
            });
}
