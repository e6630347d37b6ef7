# Demo ablation row 6: the full method (= ../multikd_litehrnet18_demo_*.py).
_base_ = ['../multikd_litehrnet18_demo.py']
