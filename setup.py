"""mmpose-multikd: Multi-KD distillation of SimDR pose estimators."""

from setuptools import find_packages, setup


def read_requirements(path: str) -> list:
    with open(path) as f:
        return [
            line.strip()
            for line in f
            if line.strip() and not line.startswith('#')
        ]


setup(
    name='mmpose_multikd',
    version='0.1.0',
    description='Multi-KD: cross-stage attention and SimDR KL distillation '
    'of HRNet into LiteHRNet, as an MMPose plugin',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmpose_multikd', 'mmpose_multikd.*']),
    python_requires='>=3.9',
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={
        'tests': read_requirements('requirements/tests.txt'),
        'deploy': read_requirements('requirements/deploy.txt'),
    },
    license='Apache License 2.0',
)
