# Demo ablation row 1: no distillation, the SimDR LiteHRNet-18 student alone.
_base_ = ['../simcc_litehrnet18_demo.py']
