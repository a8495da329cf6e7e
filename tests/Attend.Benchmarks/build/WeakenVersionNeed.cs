using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 shared library as weak (<c>VER_FLG_WEAK</c> in its
/// <c>.gnu.version_r</c> entry), so the dynamic loader no longer refuses to load the library where that version is
/// missing. Why: TorchSharp 0.107's <c>libLibTorchSharp.so</c> was linked with GCC 13, whose <c>&lt;iostream&gt;</c>
/// adds an undefined reference to <c>std::ios_base_library_init()@GLIBCXX_3.4.32</c> that nothing relocates or calls
/// (a marker); Debian 12's libstdc++ ends at 3.4.30, so <c>dlopen</c> fails on the version check alone. A weak
/// requirement is still bound where present and only skipped where absent. Idempotent; a library without the
/// requirement is left untouched.
/// </summary>
public sealed class WeakenVersionNeed : Task
{
    private const uint VersionNeedSectionType = 0x6ffffffe; // SHT_GNU_verneed
    private const ushort WeakFlag = 0x2; // VER_FLG_WEAK

    /// <summary>The shared library to patch in place.</summary>
    [Required]
    public string File { get; set; } = "";

    /// <summary>The version name, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
    [Required]
    public string Version { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.File.Exists(File))
        {
            Log.LogMessage(MessageImportance.Low, $"{File}: not there, nothing to patch.");
            return true;
        }

        byte[] elf = System.IO.File.ReadAllBytes(File);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{File}: not a little-endian ELF64 file.");
            return false;
        }

        long sectionHeaders = (long)BitConverter.ToUInt64(elf, 0x28);
        int headerSize = BitConverter.ToUInt16(elf, 0x3A), sections = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < sections; s++)
        {
            long header = sectionHeaders + (long)s * headerSize;
            if (BitConverter.ToUInt32(elf, (int)header + 4) != VersionNeedSectionType) continue;

            long offset = (long)BitConverter.ToUInt64(elf, (int)header + 0x18);
            long strings = (long)BitConverter.ToUInt64(elf, (int)(sectionHeaders + BitConverter.ToUInt32(elf, (int)header + 0x28) * (long)headerSize + 0x18));
            int needs = (int)BitConverter.ToUInt32(elf, (int)header + 0x2C);
            long need = offset;
            for (int n = 0; n < needs; n++)
            {
                int count = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < count; a++)
                {
                    if (Name(elf, strings + BitConverter.ToUInt32(elf, (int)aux + 8)) == Version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & WeakFlag) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | WeakFlag)).CopyTo(elf, (int)aux + 4);
                            System.IO.File.WriteAllBytes(File, elf);
                            Log.LogMessage(MessageImportance.High, $"{Path.GetFileName(File)}: the {Version} requirement is now weak.");
                        }

                        return true;
                    }

                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }

                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }

        Log.LogMessage(MessageImportance.Low, $"{File}: no {Version} requirement.");
        return true;
    }

    private static string Name(byte[] elf, long at)
    {
        int end = (int)at;
        while (elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, (int)at, end - (int)at);
    }
}
