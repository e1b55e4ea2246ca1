#!/usr/bin/python3
"""Independent reader of a synthetic Derby study, written on pydicom (Debian's python3-pydicom).

Reads every DICOM file, groups by patient and modality, checks geometry and shared frames of reference, and computes
body-weight SUV from the written tags alone (QIBA vendor-neutral rules for BQML data decay-corrected to scan start).
Prints one JSON document; the C# tests compare it with the generator's ground truth.
"""
import datetime as dt
import glob
import json
import math
import os
import sys

import pydicom


def parse_dt(date, time):
    time = time.split(".")[0].ljust(6, "0")
    return dt.datetime.strptime(date + time, "%Y%m%d%H%M%S")


def suv_factor(datasets):
    first = datasets[0]
    if first.Units != "BQML" or first.DecayCorrection != "START":
        raise ValueError("only BQML / START handled here")
    info = first.RadiopharmaceuticalInformationSequence[0]
    if "RadionuclideTotalDose" not in info:
        return None
    series = parse_dt(first.SeriesDate, first.SeriesTime)
    earliest = min(parse_dt(d.AcquisitionDate, d.AcquisitionTime) for d in datasets)
    scan = series if series <= earliest else earliest
    if "RadiopharmaceuticalStartDateTime" in info:
        injection = dt.datetime.strptime(info.RadiopharmaceuticalStartDateTime[:14], "%Y%m%d%H%M%S")
    else:
        injection = parse_dt(first.SeriesDate, info.RadiopharmaceuticalStartTime)
    decay = math.exp(-math.log(2) * (scan - injection).total_seconds() / float(info.RadionuclideHalfLife))
    return float(first.PatientWeight) * 1000 / (float(info.RadionuclideTotalDose) * decay)


def spacing_ok(datasets, thickness):
    z = sorted(float(d.ImagePositionPatient[2]) for d in datasets)
    steps = [b - a for a, b in zip(z, z[1:])]
    return all(abs(s - thickness) < 1e-3 for s in steps), len(z)


def main(root):
    out = {"files": 0, "patients": {}}
    for patient_dir in sorted(glob.glob(os.path.join(root, "sites", "*", "dicom", "*"))):
        pseudonym = os.path.basename(patient_dir)
        entry = {}
        series = {}
        for modality in ("PT", "CT"):
            files = sorted(glob.glob(os.path.join(patient_dir, modality, "*.dcm")))
            datasets = [pydicom.dcmread(f) for f in files]
            out["files"] += len(files)
            series[modality] = datasets
            ok, count = spacing_ok(datasets, float(datasets[0].SliceThickness))
            entry[modality.lower()] = {
                "slices": count,
                "spacing_ok": ok,
                "rows": int(datasets[0].Rows),
                "columns": int(datasets[0].Columns),
                "pixel_spacing": [float(v) for v in datasets[0].PixelSpacing],
                "series_uids": sorted({d.SeriesInstanceUID for d in datasets}),
                "patient_ids": sorted({d.PatientID for d in datasets}),
                "patient_names": sorted({str(d.PatientName) for d in datasets}),
                "phi_tags": sorted({t for d in datasets for t in ("PatientBirthDate", "InstitutionName", "OtherPatientIDs", "ReferringPhysicianName", "DeviceSerialNumber") if t in d}),
                "burned_in": sorted({d.get("BurnedInAnnotation", "") for d in datasets}),
                "private_tags": sum(1 for d in datasets for e in d if e.tag.is_private),
            }
        pet, ct = series["PT"], series["CT"]
        entry["shared_frame_of_reference"] = len({d.FrameOfReferenceUID for d in pet + ct}) == 1
        entry["shared_study"] = len({d.StudyInstanceUID for d in pet + ct}) == 1
        factor = suv_factor(pet)
        entry["suv_factor"] = factor
        if factor is not None:
            entry["suv_max"] = max(
                float((d.pixel_array.astype("float64") * float(d.RescaleSlope) + float(d.RescaleIntercept)).max()) * factor for d in pet)
        hu = [d.pixel_array.astype("float64") * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ct]
        entry["ct_hu_min"] = float(min(h.min() for h in hu))
        entry["ct_hu_max"] = float(max(h.max() for h in hu))
        out["patients"][pseudonym] = entry
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
