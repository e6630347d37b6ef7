# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The package's structure, read from its imports (no module is run):
no import cycle between its modules, no module that imports from a package
above it, no private name of MMEngine, and no command under ``tools/`` that
imports the lab or edits ``sys.path``."""

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

from ..helpers import REPO_ROOT

PACKAGE = 'mmpose_multikd'


def package_modules() -> Dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    modules = {}
    for path in sorted((REPO_ROOT / PACKAGE).rglob('*.py')):
        parts = list(path.relative_to(REPO_ROOT).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts.pop()
        modules['.'.join(parts)] = path
    return modules


def is_package(path: Path) -> bool:
    return path.name == '__init__.py'


def module_level_imports(tree: ast.Module) -> Iterator[ast.stmt]:
    """Imports run when the module is imported (not those inside
    functions, which run later)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ('body', 'orelse', 'finalbody', 'handlers'):
                for child in getattr(node, field, []):
                    stack.extend(
                        child.body
                        if isinstance(child, ast.ExceptHandler)
                        else [child]
                    )


def imported_modules(
    name: str, path: Path, node: ast.stmt, modules: Dict[str, Path]
) -> List[str]:
    """The package's modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in modules]
    if node.level:
        base = name.split('.')
        # a package's own name is its base; a module's is its parent
        keep = len(base) - node.level + (1 if is_package(path) else 0)
        base = base[:keep]
        target = '.'.join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ''
    found = [target] if target in modules else []
    for alias in node.names:
        submodule = f'{target}.{alias.name}'
        if submodule in modules:
            found.append(submodule)
    return found


def import_graph() -> Tuple[Dict[str, Set[str]], Dict[str, Path]]:
    modules = package_modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        graph[name] = {
            target
            for node in module_level_imports(tree)
            for target in imported_modules(name, path, node, modules)
            if target != name
        }
    return graph, modules


def find_cycle(graph: Dict[str, Set[str]]) -> List[str]:
    """One import cycle, or an empty list."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> List[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def test_the_checks_see_a_cycle():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == [
        'a',
        'b',
        'c',
        'a',
    ]
    assert find_cycle({'a': {'b'}, 'b': set(), 'c': {'a', 'b'}}) == []


def test_no_import_cycle():
    graph, _ = import_graph()
    # the graph is read: the distiller imports the loss contract
    assert (
        'mmpose_multikd.models.losses.distill_loss'
        in graph['mmpose_multikd.models.distillers.multikd_distiller']
    )
    assert find_cycle(graph) == []


def test_no_upward_import():
    """A module never imports the package it sits in, or one above it
    (``from .. import X``): it imports the module that defines X."""
    graph, modules = import_graph()
    upward = []
    for name, targets in graph.items():
        own = name if is_package(modules[name]) else name.rsplit('.', 1)[0]
        ancestors = {
            '.'.join(own.split('.')[:i]) for i in range(1, own.count('.') + 2)
        }
        if is_package(modules[name]):
            ancestors.discard(name)
        upward += [f'{name} -> {t}' for t in targets if t in ancestors]
    assert upward == []


def private_mmengine_names(tree: ast.Module) -> List[str]:
    """``_names`` of MMEngine a module imports or reads."""
    found, bound = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or '').startswith(
            'mmengine'
        ):
            if any(p.startswith('_') for p in node.module.split('.')):
                found.append(node.module)
            for alias in node.names:
                if alias.name.startswith('_'):
                    found.append(f'{node.module}.{alias.name}')
                bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith('mmengine'):
                    if any(p.startswith('_') for p in alias.name.split('.')):
                        found.append(alias.name)
                    bound.add(alias.asname or alias.name.split('.')[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith('_')
            and not node.attr.startswith('__')
        ):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound:
                found.append(f'{ast.unparse(node)}')
    return found


def test_the_checks_see_a_private_name():
    code = (
        'from mmengine.runner.checkpoint import CheckpointLoader, '
        '_load_checkpoint\n'
        'import mmengine.config\n'
        "CheckpointLoader._get_checkpoint_loader('x')\n"
        'mmengine.config.utils._get_package_and_cfg_path\n'
    )
    assert sorted(private_mmengine_names(ast.parse(code))) == [
        'CheckpointLoader._get_checkpoint_loader',
        'mmengine.config.utils._get_package_and_cfg_path',
        'mmengine.runner.checkpoint._load_checkpoint',
    ]


def test_no_private_mmengine_name():
    found = {
        str(path.relative_to(REPO_ROOT)): names
        for path in package_modules().values()
        if (names := private_mmengine_names(ast.parse(path.read_text())))
    }
    assert found == {}


def test_user_commands_do_not_need_the_lab():
    """``tools/`` holds the commands a user of the plugin runs: none
    imports the lab (``multikd_lab``) or edits ``sys.path``."""
    offenders = []
    for path in sorted((REPO_ROOT / 'tools').rglob('*.py')):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or '']
            if any(n.split('.')[0] == 'multikd_lab' for n in names):
                offenders.append(f'{path.name}: imports the lab')
            if (
                isinstance(node, ast.Attribute)
                and node.attr == 'path'
                and isinstance(node.value, ast.Name)
                and node.value.id == 'sys'
            ):
                offenders.append(f'{path.name}: uses sys.path')
    assert offenders == []


def test_package_tests_need_only_the_package():
    """The package's tests import no lab module: they run on a clone
    without ``multikd_lab``."""
    offenders = []
    for path in sorted((REPO_ROOT / 'tests').rglob('*.py')):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or '']
            if any(n.split('.')[0] == 'multikd_lab' for n in names):
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []


def test_models_utils_hold_only_what_modules_share():
    """``models/utils`` keeps what two or more other modules import; a
    module's private machinery sits beside it (the cross-stage loss's in
    ``models/losses/cross_stage``)."""
    modules = package_modules()
    utils = 'mmpose_multikd.models.utils'
    users: Dict[str, Set[str]] = {
        name: set() for name in modules if name.startswith(f'{utils}.')
    }
    for name, path in modules.items():
        if name.startswith(utils):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in imported_modules(name, path, node, modules):
                    if target in users:
                        users[target].add(name)
    assert len(users) >= 4  # the check sees the folder
    private = {name: sorted(u) for name, u in users.items() if len(u) < 2}
    assert private == {}
