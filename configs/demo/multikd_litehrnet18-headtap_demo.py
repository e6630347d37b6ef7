# Multi-KD (demo) with the student's deepest tap at its head's input (not
# in the paper; compared with the default taps over seeds). LiteHRNet's
# last stage (backbone.stage2, the default tap) is followed by its
# IterativeHead (backbone.head_layer), whose top branch is what the SimCC
# head reads; the teacher's deepest tap (HRNet's backbone.stage4) is
# already its head's input. Measured against the default to choose it
# (docs/results.md).
_base_ = ['./ablation/multikd_litehrnet18_demo_r6_cs-mft-wa-vkd.py']

model = dict(
    student_taps=[
        'backbone.stage0',
        'backbone.stage1',
        'backbone.head_layer',
    ]
)
