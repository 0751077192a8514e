using AngleSharp.Dom;
using Bunit;
using EventDriven.Web.Components.Forms;
using EventDriven.Web.Services;
using EventDriven.Web.Tracing;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace EventDriven.Web.Components.Tests;

/// <summary>
/// A form rendered by bUnit with MudBlazor's services, JS calls answered loosely (MudBlazor makes many; the focus call
/// is the one these tests look at), and the real typed clients, each over its own <see cref="ServiceScript"/>.
/// </summary>
public abstract class FormContext : BunitContext
{
    private const string FocusCall = "Blazor._internal.domWrapper.focus";

    protected ServiceScript AccountService { get; } = new();
    protected ServiceScript TransactionsService { get; } = new();

    protected FormContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(new AccountClient(AccountService.Client()));
        Services.AddSingleton(new LedgerClient(TransactionsService.Client()));
        // Actions run as they do in the app; with no dashboard address there are trace ids but no links.
        Services.AddSingleton(new UserActions());
        Services.AddSingleton(new DashboardLinks(new ConfigurationBuilder().Build()));
    }

    /// <summary>The input a label names, as a person finds it.</summary>
    protected static IElement Field(IRenderedComponent<IComponent> cut, string label)
    {
        var labelElement = cut.FindAll("label").SingleOrDefault(l => l.TextContent.Trim() == label)
                           ?? throw new InvalidOperationException($"No field labelled '{label}' in: {cut.Markup}");
        return cut.Find($"#{labelElement.GetAttribute("for")}");
    }

    /// <summary>Everything shown with a field: its input, its helper text and its validation messages.</summary>
    protected static string TextAround(IRenderedComponent<IComponent> cut, string label) =>
        Field(cut, label).Closest(".mud-input-control")!.TextContent;

    protected static string Outcome(IRenderedComponent<IComponent> cut) => cut.Find("[data-testid=outcome]").TextContent.Trim();

    /// <summary>Whether the last element focused through Blazor (ElementReference.FocusAsync) is the form's outcome.</summary>
    protected void AssertFocusIsOnTheOutcome(IRenderedComponent<IComponent> cut)
    {
        var focused = JSInterop.Invocations.Where(i => i.Identifier == FocusCall).ToList();
        Assert.NotEmpty(focused);
        var element = Assert.IsType<ElementReference>(focused[^1].Arguments[0]);
        Assert.Equal(cut.FindComponent<FormOutcome>().Instance.Element.Id, element.Id);
    }

}
