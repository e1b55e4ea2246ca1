#!/usr/bin/python3
"""The `derby dicom info` contract computed by pydicom (Debian's python3-pydicom), one JSON object per file.

Usage: pydicom_info.py FILE...  -> {"FILE": {...} | {"error": "..."}}
stored_* are over the first frame's stored values (all samples) when pydicom can decode the pixels, else null.
"""
import json
import sys
import warnings

import numpy
import pydicom

warnings.simplefilter("ignore")


def numbers(ds, keyword):
    if keyword not in ds or ds[keyword].value in (None, ""):
        return None
    v = ds[keyword].value
    return [float(x) for x in v] if isinstance(v, (list, pydicom.multival.MultiValue)) else [float(v)]


def first(ds, keyword):
    v = numbers(ds, keyword)
    return v[0] if v else None


def text(ds, keyword):
    v = ds.get(keyword)
    return str(v) if v not in (None, "") else None


def integer(ds, keyword):
    v = ds.get(keyword)
    return int(v) if v not in (None, "") else None


def info(path):
    ds = pydicom.dcmread(path)
    result = {
        "sop_instance_uid": text(ds, "SOPInstanceUID"),
        "series_instance_uid": text(ds, "SeriesInstanceUID"),
        "study_instance_uid": text(ds, "StudyInstanceUID"),
        "modality": text(ds, "Modality"),
        "transfer_syntax_uid": str(ds.file_meta.TransferSyntaxUID) if "TransferSyntaxUID" in getattr(ds, "file_meta", {}) else None,
        "rows": integer(ds, "Rows"),
        "columns": integer(ds, "Columns"),
        "bits_allocated": integer(ds, "BitsAllocated"),
        "pixel_representation": integer(ds, "PixelRepresentation"),
        "number_of_frames": integer(ds, "NumberOfFrames"),
        "pixel_spacing": numbers(ds, "PixelSpacing"),
        "slice_thickness": first(ds, "SliceThickness"),
        "image_position_patient": numbers(ds, "ImagePositionPatient"),
        "image_orientation_patient": numbers(ds, "ImageOrientationPatient"),
        "rescale_slope": first(ds, "RescaleSlope"),
        "rescale_intercept": first(ds, "RescaleIntercept"),
        "stored_min": None, "stored_max": None, "stored_mean": None, "decoded": False,
    }
    if "PixelData" in ds:
        try:
            # Stored values exactly as encoded: no colour-space conversion.
            ds.decode() if False else None
            arr = ds.pixel_array
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            if frames > 1:
                arr = arr[0]
            if ds.get("PhotometricInterpretation", "").startswith("YBR") and ds.file_meta.TransferSyntaxUID.is_compressed:
                raise ValueError("colour converted by the decoder")
            result.update(stored_min=float(arr.min()), stored_max=float(arr.max()), stored_mean=float(numpy.mean(arr, dtype=numpy.float64)), decoded=True)
        except Exception as e:  # noqa: BLE001 - report, don't fail: not every codec is installed for pydicom
            result["decode_error"] = str(e)[:120]
    return result


out = {}
for path in sys.argv[1:]:
    try:
        out[path] = info(path)
    except Exception as e:  # noqa: BLE001
        out[path] = {"error": f"{type(e).__name__}: {e}"[:200]}
json.dump(out, sys.stdout)
