using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// How to reach a KurrentDB node. Built from a connection string (<see cref="Create"/>) in the official client's format:
/// <c>kurrentdb://[user:pass@]host[:port][?tls=false&amp;connectionName=…&amp;defaultDeadline=ms]</c>.
/// </summary>
public sealed class KurrentDBClientSettings
{
    /// <summary>KurrentDB's gRPC and HTTP port.</summary>
    public const int DefaultPort = 2113;

    private static readonly string[] Schemes = ["kurrentdb", "esdb", "kdb", "kurrent"];

    // Options of the official client that concern clusters, discovery or certificates: accepted so that connection
    // strings carry over, but a single-node client has nothing to do with them.
    private static readonly HashSet<string> IgnoredOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "nodePreference", "maxDiscoverAttempts", "discoveryInterval", "gossipTimeout", "throwOnAppendFailure",
        "keepAliveInterval", "keepAliveTimeout", "tlsCaFile", "userCertFile", "userKeyFile",
    };

    /// <summary>The node's address: <c>http://</c> when <c>tls=false</c> (HTTP/2 cleartext), otherwise <c>https://</c>.</summary>
    public Uri Address { get; set; } = new($"https://localhost:{DefaultPort}");

    /// <summary>Sent as the <c>connection-name</c> header, so the server's logs can tell clients apart.</summary>
    public string ConnectionName { get; set; } = $"EventDriven-{Guid.NewGuid():N}";

    /// <summary>The deadline of calls that do not give their own; null for none. Subscriptions never have one.</summary>
    public TimeSpan? DefaultDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public UserCredentials? DefaultCredentials { get; set; }

    /// <summary>When false, a TLS server certificate is accepted without validation (<c>tlsVerifyCert=false</c>).</summary>
    public bool TlsVerifyCert { get; set; } = true;

    /// <summary>Replaces the HTTP handler, e.g. with a test server's; the client disposes what it returns.</summary>
    public Func<HttpMessageHandler>? CreateHttpMessageHandler { get; set; }

    public ILoggerFactory? LoggerFactory { get; set; }

    // Set by the hosting registration when tracing is disabled; the trace context is still propagated.
    internal bool DisableTracing { get; set; }

    /// <summary>Parses a connection string; throws <see cref="InvalidSettingsException"/> saying what is wrong.</summary>
    public static KurrentDBClientSettings Create(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidSettingsException("The KurrentDB connection string is empty; expected e.g. 'kurrentdb://localhost:2113?tls=false'.");
        }

        var schemeEnd = connectionString.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? connectionString[..schemeEnd] : "";
        if (scheme.EndsWith("+discover", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidSettingsException(
                $"'{scheme}://' asks for cluster discovery, which this client does not do; give one node as '{scheme[..^"+discover".Length]}://host:port'.");
        }

        if (!Schemes.Contains(scheme, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidSettingsException(
                $"The KurrentDB connection string must start with one of {string.Join(", ", Schemes.Select(s => s + "://"))}; got '{Redact(connectionString)}'.");
        }

        var rest = connectionString[(schemeEnd + 3)..];
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var authority = (queryStart >= 0 ? rest[..queryStart] : rest).TrimEnd('/');
        var settings = new KurrentDBClientSettings();
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            settings.DefaultCredentials = ParseCredentials(authority[..at]);
            authority = authority[(at + 1)..];
        }

        var (host, port) = ParseHost(authority);
        var tls = true;
        foreach (var (key, value) in ParseQuery(queryStart >= 0 ? rest[(queryStart + 1)..] : ""))
        {
            switch (key.ToUpperInvariant())
            {
                case "TLS":
                    tls = ParseBool(key, value);
                    break;
                case "TLSVERIFYCERT":
                    settings.TlsVerifyCert = ParseBool(key, value);
                    break;
                case "CONNECTIONNAME":
                    settings.ConnectionName = value;
                    break;
                case "DEFAULTDEADLINE":
                    settings.DefaultDeadline = ParseDeadline(value);
                    break;
                default:
                    if (!IgnoredOptions.Contains(key))
                    {
                        throw new InvalidSettingsException($"Unknown KurrentDB connection string option '{key}'.");
                    }

                    break;
            }
        }

        settings.Address = new UriBuilder(tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, host, port).Uri;
        return settings;
    }

    private static (string Host, int Port) ParseHost(string authority)
    {
        if (authority.Length == 0)
        {
            throw new InvalidSettingsException("The KurrentDB connection string has no host.");
        }

        if (authority.Contains(',', StringComparison.Ordinal))
        {
            throw new InvalidSettingsException($"The KurrentDB connection string names several nodes ('{authority}'); this client connects to exactly one.");
        }

        var colon = authority.LastIndexOf(':');
        if (colon < 0 || authority.EndsWith(']'))
        {
            return (authority, DefaultPort);
        }

        return int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? (authority[..colon], port)
            : throw new InvalidSettingsException($"'{authority[(colon + 1)..]}' is not a valid port in the KurrentDB connection string.");
    }

    private static UserCredentials ParseCredentials(string userInfo)
    {
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new InvalidSettingsException("The KurrentDB connection string's credentials must be 'user:password@'.");
        }

        return new UserCredentials(Uri.UnescapeDataString(userInfo[..colon]), Uri.UnescapeDataString(userInfo[(colon + 1)..]));
    }

    private static IEnumerable<(string Key, string Value)> ParseQuery(string query)
    {
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InvalidSettingsException($"'{pair}' in the KurrentDB connection string is not 'key=value'.");
            }

            yield return (pair[..equals], Uri.UnescapeDataString(pair[(equals + 1)..]));
        }
    }

    private static bool ParseBool(string key, string value) =>
        bool.TryParse(value, out var result)
            ? result
            : throw new InvalidSettingsException($"'{key}={value}' in the KurrentDB connection string: expected true or false.");

    private static TimeSpan? ParseDeadline(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) && ms is > 0 or -1
            ? ms == -1 ? null : TimeSpan.FromMilliseconds(ms)
            : throw new InvalidSettingsException($"'defaultDeadline={value}' in the KurrentDB connection string: expected milliseconds (or -1 for none).");

    // Connection strings may carry a password; error messages must not.
    private static string Redact(string connectionString)
    {
        var at = connectionString.LastIndexOf('@');
        var schemeEnd = connectionString.IndexOf("://", StringComparison.Ordinal);
        return at > schemeEnd && schemeEnd >= 0 ? connectionString[..(schemeEnd + 3)] + "***" + connectionString[at..] : connectionString;
    }
}
