using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Threading;

namespace TrefGuard;

/// <summary>
/// Acquisition call sites of a table's trefs and pinned tasks, kept only with TaskTableOptions.TrackLeaks.
/// A count says how many references are owned but not by whom; a site per acquisition answers "who forgot
/// the put". Releases pop the newest site: references are interchangeable, so which one a put returns is
/// unknowable, and the survivors' sites are still the places to look.
/// </summary>
internal sealed class LeakTracker
{
    private const int FramesKept = 4;

    private static readonly Assembly RuntimeAssembly = typeof(LeakTracker).Assembly;

    private readonly Lock _gate = new();
    private readonly Dictionary<object, List<string>> _sites = new(ReferenceEqualityComparer.Instance);

    internal void Record(object target)
    {
        string site = CaptureSite();
        lock (_gate)
        {
            if (!_sites.TryGetValue(target, out List<string>? list))
            {
                list = new List<string>(1);
                _sites.Add(target, list);
            }

            list.Add(site);
        }
    }

    internal void Release(object target)
    {
        lock (_gate)
        {
            if (_sites.TryGetValue(target, out List<string>? list))
            {
                list.RemoveAt(list.Count - 1);
                if (list.Count == 0)
                {
                    _sites.Remove(target);
                }
            }
        }
    }

    internal void Forget(object target)
    {
        lock (_gate)
        {
            _sites.Remove(target);
        }
    }

    internal IReadOnlyList<string> SitesOf(object target)
    {
        lock (_gate)
        {
            return _sites.TryGetValue(target, out List<string>? list) ? list.ToArray() : Array.Empty<string>();
        }
    }

    /// <summary>The first frames outside this assembly: where user code took the reference.</summary>
    private static string CaptureSite()
    {
        var trace = new StackTrace(1, fNeedFileInfo: true);
        var text = new StringBuilder();
        int kept = 0;
        foreach (StackFrame frame in trace.GetFrames())
        {
            MethodBase? method = frame.GetMethod();
            if (method is null || method.DeclaringType?.Assembly == RuntimeAssembly)
            {
                continue;
            }

            if (kept > 0)
            {
                text.Append('\n');
            }

            text.Append("at ").Append(method.DeclaringType?.FullName).Append('.').Append(method.Name);
            string? file = frame.GetFileName();
            if (file is not null)
            {
                text.Append(" in ").Append(file).Append(':').Append(frame.GetFileLineNumber());
            }

            if (++kept == FramesKept)
            {
                break;
            }
        }

        return kept == 0 ? "at <unknown>" : text.ToString();
    }
}
