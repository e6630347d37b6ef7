# The heatmap twin of the SimDR LiteHRNet-18 student: MMPose's own config,
# unchanged, for latency/memory/accuracy comparisons.
_base_ = [
    'mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
    'td-hm_litehrnet-18_8xb64-210e_mpii-256x256.py'
]

custom_imports = dict(imports=['mmpose_multikd'], allow_failed_imports=False)
