"""Reads a DICOM Segmentation with pydicom (an independent reader) and prints what the SEG test checks, as JSON."""
import json
import sys

import numpy as np
import pydicom

ds = pydicom.dcmread(sys.argv[1])
frames = ds.pixel_array
if frames.ndim == 2:
    frames = frames[None]
per_frame = ds.PerFrameFunctionalGroupsSequence
print(json.dumps({
    "sop_class": str(ds.SOPClassUID),
    "modality": ds.Modality,
    "segmentation_type": ds.SegmentationType,
    "frames": int(ds.NumberOfFrames),
    "rows": int(ds.Rows),
    "columns": int(ds.Columns),
    "bits_allocated": int(ds.BitsAllocated),
    "patient_id": str(ds.PatientID),
    "study_instance_uid": str(ds.StudyInstanceUID),
    "frame_of_reference_uid": str(ds.FrameOfReferenceUID),
    "segment_label": str(ds.SegmentSequence[0].SegmentLabel),
    "algorithm_type": str(ds.SegmentSequence[0].SegmentAlgorithmType),
    "dimension_pointers": [str(x.DimensionIndexPointer) for x in ds.DimensionIndexSequence],
    "pixel_spacing": [float(v) for v in ds.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing],
    "positions": [[float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient] for f in per_frame],
    "sources": [str(f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID) for f in per_frame],
    "segments": [int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber) for f in per_frame],
    "ones": [np.flatnonzero(frames[i]).tolist() for i in range(frames.shape[0])],
}))
