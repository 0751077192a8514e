using System.Text;

namespace EventDriven.KurrentDB.Client;

/// <summary>A user name and password, sent as HTTP basic authentication (from <c>user:pass@</c> in the connection string).</summary>
public sealed class UserCredentials
{
    public UserCredentials(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        Username = username;
        Password = password;
    }

    public string Username { get; }

    public string Password { get; }

    internal string ToAuthorizationHeader() =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    public override string ToString() => Username;
}
