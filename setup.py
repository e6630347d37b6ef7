"""mmpose-multikd: Multi-KD distillation of SimDR pose estimators.

``install_requires`` holds the ranges of ``requirements/runtime.txt`` (what
the plugin imports; ``mmpose_multikd/version.py`` checks the same ranges at
import), so ``pip install -e .`` keeps the torch, MMCV, MMEngine and MMPose a
user already has. The exact versions of the reproducible environment are in
``requirements/constraints/``, used by ``make install``.
"""

from setuptools import find_packages, setup


def read_requirements(path: str) -> list:
    with open(path) as f:
        return [
            line.strip()
            for line in f
            if line.strip() and not line.startswith('#')
        ]


def read_version() -> str:
    namespace = {}
    with open('mmpose_multikd/version.py') as f:
        exec(compile(f.read(), 'mmpose_multikd/version.py', 'exec'), namespace)
    return namespace['__version__']


setup(
    name='mmpose_multikd',
    version=read_version(),
    description='Multi-KD: cross-stage attention and SimDR KL distillation '
    'of HRNet into LiteHRNet, as an MMPose plugin',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmpose_multikd', 'mmpose_multikd.*']),
    python_requires='>=3.9',
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={
        'albu': read_requirements('requirements/albu.txt'),
        'deploy': read_requirements('requirements/deploy.txt'),
        'tests': read_requirements('requirements/tests.txt'),
    },
    license='Apache License 2.0',
)
