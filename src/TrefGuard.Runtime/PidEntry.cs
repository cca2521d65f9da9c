using System.Collections.Generic;
using System.Threading;

namespace TrefGuard;

/// <summary>
/// One hashed (type, number) of a table, the kernel's hashed <c>struct pid</c> with its <c>pid_list</c>: the tasks
/// that hold the number in join order, and the one live <see cref="TaskRef"/> for it. A number that is given up
/// and later reused gets a new entry, so a tref made for the old entry never sees the new users.
/// All fields are written under the table's write lock.
/// </summary>
internal sealed class PidEntry
{
    private readonly List<TaskStruct> _members = new(1);
    private TaskStruct? _first;

    internal PidEntry(PidType type, int nr)
    {
        Type = type;
        Nr = nr;
    }

    internal PidType Type { get; }

    internal int Nr { get; }

    /// <summary>Cached so that a lock-free peek reads one consistent pointer instead of a list being edited.</summary>
    internal TaskStruct? First => Volatile.Read(ref _first);

    internal List<TaskStruct> Members => _members;

    /// <summary>The entry's tref (<c>pid->ref</c>), or null when nobody holds one.</summary>
    internal TaskRef? Ref { get; set; }

    internal void Add(TaskStruct task)
    {
        _members.Add(task);
        if (_members.Count == 1)
        {
            Volatile.Write(ref _first, task);
        }
    }

    /// <summary>Removes a member; returns true when the entry has become empty and must be unhashed.</summary>
    internal bool Remove(TaskStruct task)
    {
        int index = _members.IndexOf(task);
        _members.RemoveAt(index);
        if (index == 0)
        {
            // The tref follows the hashed first user: after the first leaves, the next in join order.
            Volatile.Write(ref _first, _members.Count > 0 ? _members[0] : null);
        }

        return _members.Count == 0;
    }
}
