# Multi-KD on MPII with the SimDR LiteHRNet-30 student (same teacher, losses
# and schedule as the LiteHRNet-18 config; only the student differs).
_base_ = ['./multikd_litehrnet18_mpii.py']

student_config = (
    '{{fileDirname}}/simdr/simcc_litehrnet30_8xb64-210e_mpii-256x256.py'
)

model = dict(student=student_config)
