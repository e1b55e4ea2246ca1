using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>
/// The de-identification gate every DICOM file passes before it is stored: checks it against the PS3.15 Basic
/// Application Level Confidentiality Profile (<see cref="ConfidentialityProfile"/>) with the project's retention choices
/// (<see cref="RetentionPolicy"/>, ADR 0008), and in Scrub mode applies the profile first.
/// </summary>
public static class DeidentificationGate
{
    private const string BurnedInReason = "Burned In Annotation is YES: pixel data may show identity";

    /// <summary>Runs the gate in a study's mode: Reject checks the file as it is; Scrub cleans a copy and checks that.</summary>
    public static GateResult Apply(DicomDataset dataset, string pseudonym, DeidentificationMode mode)
    {
        if (mode == DeidentificationMode.Reject)
        {
            var verdict = Check(dataset, pseudonym);
            return new GateResult(verdict.Accepted ? dataset : null, verdict.Findings, []);
        }

        var (cleaned, removed) = Scrub(dataset, pseudonym);
        // What Scrub cannot clean (burned-in annotation in the pixels) is still found here, and refuses the file.
        var after = Check(cleaned, pseudonym);
        return new GateResult(after.Accepted ? cleaned : null, after.Findings, removed);
    }

    /// <summary>
    /// Lists every attribute, at any depth of sequences, that the profile does not allow in a stored file: profile
    /// attributes with a value the project does not keep, private attributes other than Philips' SUV pair, Burned In
    /// Annotation = YES, a Patient ID other than the pseudonym and a Patient's Name other than empty or the pseudonym.
    /// </summary>
    public static GateVerdict Check(DicomDataset dataset, string expectedPseudonym)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedPseudonym);
        var findings = new List<GateFinding>();
        if (dataset.GetString(DicomTags.PatientId) is null)
        {
            findings.Add(new GateFinding(DicomTags.PatientId.ToString(), DicomTags.PatientId, "Patient ID",
                $"Patient ID is missing: it must be the case's pseudonym '{expectedPseudonym}'"));
        }

        CheckItem(dataset, string.Empty, expectedPseudonym, findings);
        return new GateVerdict(findings);
    }

    /// <summary>
    /// Applies the profile to a copy of the data set: removes (X), empties (Z) or replaces with a dummy (D) what the
    /// project does not keep, sets Patient's Name and Patient ID to the pseudonym, and lists every change. The input is
    /// not modified. Burned-in annotation cannot be scrubbed: it stays, and <see cref="Check"/> still refuses the file.
    /// </summary>
    public static (DicomDataset Cleaned, IReadOnlyList<RemovedAttribute> Removed) Scrub(DicomDataset dataset, string pseudonym)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(pseudonym);
        var removed = new List<RemovedAttribute>();
        var cleaned = ScrubItem(dataset, string.Empty, pseudonym, removed);
        foreach (var (tag, vr, name) in new[] { (DicomTags.PatientName, DicomVR.PN, "Patient's Name"), (DicomTags.PatientId, DicomVR.LO, "Patient ID") })
        {
            if (cleaned.GetString(tag) is null)
            {
                cleaned.Text(tag, vr, pseudonym);
                removed.Add(new RemovedAttribute(tag.ToString(), tag, name, AttributeChange.SetToPseudonym, ConfidentialityProfile.Find(tag)!.ActionCode));
            }
        }

        return (cleaned, removed);
    }

    private static void CheckItem(DicomDataset item, string prefix, string pseudonym, List<GateFinding> findings)
    {
        foreach (var element in item.Elements)
        {
            var tag = element.Tag;
            var path = prefix + tag;
            if (tag.IsPrivate)
            {
                if (!ConfidentialityProfile.IsRetainedPrivate(item, tag))
                {
                    findings.Add(new GateFinding(path, tag, PrivateName(item, tag), PrivateReason(item, tag)));
                }

                continue;
            }

            var value = (element as DicomText)?.Value.Trim(' ', '\0');
            if (tag == DicomTags.PatientId)
            {
                if (!string.IsNullOrEmpty(value) && value != pseudonym)
                {
                    findings.Add(new GateFinding(path, tag, "Patient ID", $"Patient ID '{value}' is not the case's pseudonym '{pseudonym}'"));
                }

                continue;
            }

            if (tag == DicomTags.PatientName)
            {
                if (!string.IsNullOrEmpty(value) && value != pseudonym)
                {
                    findings.Add(new GateFinding(path, tag, "Patient's Name", "Patient's Name present: it must be empty or the case's pseudonym"));
                }

                continue;
            }

            if (tag == DicomTags.BurnedInAnnotation && string.Equals(value, "YES", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(new GateFinding(path, tag, "Burned In Annotation", BurnedInReason));
                continue;
            }

            if (ConfidentialityProfile.Find(tag) is { } row && RetentionPolicy.For(row, element) is null && !IsAllowedResidue(row, element))
            {
                findings.Add(new GateFinding(path, tag, row.Name, $"{row.Name} present (PS3.15 Basic Profile action {row.ActionCode})"));
                continue;
            }

            if (element is DicomSequence sequence)
            {
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    CheckItem(sequence.Items[i], $"{path}[{i}]/", pseudonym, findings);
                }
            }
        }
    }

    private static DicomDataset ScrubItem(DicomDataset item, string prefix, string pseudonym, List<RemovedAttribute> removed)
    {
        var result = new DicomDataset();
        foreach (var element in item.Elements)
        {
            var tag = element.Tag;
            var path = prefix + tag;
            if (tag.IsPrivate)
            {
                if (ConfidentialityProfile.IsRetainedPrivate(item, tag))
                {
                    result.Add(DeepCopy(element));
                }
                else
                {
                    removed.Add(new RemovedAttribute(path, tag, PrivateName(item, tag), AttributeChange.Removed, ConfidentialityProfile.PrivateAttributes.ActionCode));
                }

                continue;
            }

            var row = ConfidentialityProfile.Find(tag);
            if (tag == DicomTags.PatientId || tag == DicomTags.PatientName)
            {
                var value = (element as DicomText)?.Value.Trim(' ', '\0');
                // Nested items may leave them empty; a value must be the pseudonym. The top level gets it in any case.
                if (value == pseudonym || (value == string.Empty && prefix.Length > 0))
                {
                    result.Add(element);
                }
                else
                {
                    result.Text(tag, tag == DicomTags.PatientName ? DicomVR.PN : DicomVR.LO, pseudonym);
                    removed.Add(new RemovedAttribute(path, tag, row!.Name, AttributeChange.SetToPseudonym, row.ActionCode));
                }

                continue;
            }

            if (row is null || RetentionPolicy.For(row, element) is not null || IsAllowedResidue(row, element))
            {
                result.Add(element is DicomSequence sequence
                    ? new DicomSequence(tag, [.. sequence.Items.Select((it, i) => ScrubItem(it, $"{path}[{i}]/", pseudonym, removed))])
                    : DeepCopy(element));
                continue;
            }

            // Of the alternatives a cell allows, the one that leaves least: X, else Z, else D. (X/Z means Z only where
            // an IOD needs the attribute, which a research copy of the image does not.)
            if (row.Actions.HasFlag(ProfileActions.Remove) || !row.Actions.HasFlag(ProfileActions.Zero) && !row.Actions.HasFlag(ProfileActions.Dummy))
            {
                removed.Add(new RemovedAttribute(path, tag, row.Name, AttributeChange.Removed, row.ActionCode));
            }
            else if (row.Actions.HasFlag(ProfileActions.Zero) || element is not DicomText || DummyValues.For(element.VR).Length == 0)
            {
                // D on a sequence or binary value: no items / no bytes. A dummy sequence item would need content of its own.
                result.Add(Empty(element));
                removed.Add(new RemovedAttribute(path, tag, row.Name, AttributeChange.Emptied, row.ActionCode));
            }
            else
            {
                result.Add(new DicomText(tag, element.VR, DummyValues.For(element.VR)));
                removed.Add(new RemovedAttribute(path, tag, row.Name, AttributeChange.ReplacedWithDummy, row.ActionCode));
            }
        }

        return result;
    }

    /// <summary>An attribute already as the profile leaves it: empty where Z or D is allowed, or D's dummy value.</summary>
    private static bool IsAllowedResidue(ProfileAttribute row, DicomElement element)
    {
        if (!row.Actions.HasFlag(ProfileActions.Zero) && !row.Actions.HasFlag(ProfileActions.Dummy))
        {
            return false;
        }

        return element switch
        {
            DicomText text => text.Value.Trim(' ', '\0') is var v && (v.Length == 0 || (row.Actions.HasFlag(ProfileActions.Dummy) && v == DummyValues.For(text.VR))),
            DicomBinary binary => binary.Value.Length == 0,
            DicomSequence sequence => sequence.Items.Count == 0,
            _ => false,
        };
    }

    private static DicomElement Empty(DicomElement element) => element switch
    {
        DicomText text => text with { Value = string.Empty },
        DicomBinary binary => binary with { Value = [] },
        DicomSequence sequence => sequence with { Items = [] },
        _ => throw new NotSupportedException(element.GetType().Name),
    };

    private static DicomElement DeepCopy(DicomElement element) => element switch
    {
        DicomBinary binary => binary with { Value = (byte[])binary.Value.Clone() },
        DicomSequence sequence => sequence with { Items = [.. sequence.Items.Select(CopyItem)] },
        _ => element,
    };

    private static DicomDataset CopyItem(DicomDataset item)
    {
        var copy = new DicomDataset();
        foreach (var element in item.Elements)
        {
            copy.Add(DeepCopy(element));
        }

        return copy;
    }

    private static string PrivateName(DicomDataset item, DicomTag tag) =>
        ConfidentialityProfile.PrivateCreatorOf(item, tag) is { } creator ? $"Private attribute of '{creator}'" : "Private attribute";

    private static string PrivateReason(DicomDataset item, DicomTag tag)
    {
        var creator = ConfidentialityProfile.PrivateCreatorOf(item, tag);
        if (ConfidentialityProfile.IsPrivateCreator(tag))
        {
            return $"private creator {tag} '{creator}'";
        }

        return creator is null ? $"private tag {tag} without a private creator" : $"private tag {tag} from creator '{creator}'";
    }
}
