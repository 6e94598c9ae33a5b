"""Configs: objects as plain JSON-ready dicts, in Keras 3's format, and back.

An object with a `get_config()` becomes

    {"module": "keras.layers", "class_name": "Dense", "config": {...}, "registered_name": None}

exactly as Keras 3 writes it, so a config written by one library is read by
the other. Functions (activations, losses) become their names. Reading a
config back finds the class by its Keras module and name in teachnet's own
namespaces (`teachnet.layers`, `teachnet.losses`, ...), so a layer added to
`teachnet.layers` is found without any table to update; classes of your own
are found through `register_keras_serializable` or `custom_objects=`.

Nothing here runs code from a file: a config names classes, and only classes
teachnet has, or that you registered or passed, are ever called. The one
exception, a `Lambda` layer's Python code, is refused unless you pass
`safe_mode=False` (as Keras does).
"""
import contextlib
import importlib
import inspect

import numpy as np

from teachnet import activations, initializers, regularizers
from teachnet.models.functional import Functional

# Keras module (its public name, or a part of its private path) -> teachnet module.
_NAMESPACES = {
    "ops": "teachnet.ops",
    "layers": "teachnet.layers", "models": "teachnet.models", "losses": "teachnet.losses",
    "metrics": "teachnet.metrics", "optimizers": "teachnet.optimizers", "initializers": "teachnet.initializers",
    "regularizers": "teachnet.regularizers", "activations": "teachnet.activations",
    "schedules": "teachnet.optimizers.schedules", "constraints": "teachnet.constraints",
}
_GLOBAL_CUSTOM_OBJECTS = {}   # "package>Name" -> class or function
_GLOBAL_CUSTOM_NAMES = {}     # class or function -> "package>Name"
_SCOPES = []                  # dicts pushed by custom_object_scope
_SAFE_MODE = []               # the outermost load's safe_mode, which the nested objects it creates follow


# ---------------------------------------------------------------------------
# Custom objects
# ---------------------------------------------------------------------------

def register_keras_serializable(package="Custom", name=None):
    """A decorator that lets files name your class (or function) as `package>Name`.

    Keras uses the same registered name, so one module of custom layers,
    imported in both libraries, round-trips through a `.keras` file either way.

    Example:
        >>> @teachnet.saving.register_keras_serializable(package="my_layers")
        ... class Scale(teachnet.layers.Layer):
        ...     ...
    """
    def decorator(obj):
        registered_name = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register {obj.__name__}: a class must define `get_config()` so that "
                             "it can be saved. Received: a class without get_config.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj
    return decorator


def get_custom_objects():
    """The global dict of registered objects (`"package>Name" -> object`); you may add to it."""
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj):
    """`package>Name` for a registered class or function, else its plain name."""
    key = obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)
    return _GLOBAL_CUSTOM_NAMES.get(key, key.__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered (or passed, or in scope) under `name`, else None."""
    found = _custom_lookup(custom_objects, name)
    return found if found is not None else (module_objects or {}).get(name)


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Within `with custom_object_scope({"Scale": Scale}):`, configs may name those objects."""
    _SCOPES.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        _SCOPES.pop()


def _custom_lookup(custom_objects, *names):
    for table in [custom_objects or {}] + _SCOPES[::-1] + [_GLOBAL_CUSTOM_OBJECTS]:
        for name in names:
            if name and name in table:
                return table[name]
    return None


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def _keras_module(obj):
    """The Keras module a teachnet class is written under (`keras.layers`, ...)."""
    cls = obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)
    if cls in _GLOBAL_CUSTOM_NAMES:
        return cls.__module__
    parts = cls.__module__.split(".")
    if parts[0] == "teachnet" and len(parts) > 1:
        part = parts[1]
        if part == "models":
            return "keras"
        if "schedules" in parts:
            return "keras.optimizers.schedules"
        if part in _NAMESPACES:
            return f"keras.{part}"
    return cls.__module__


def serialize_keras_object(obj):
    """`obj` as JSON-ready data in Keras 3's format (see the module docstring)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if isinstance(obj, np.dtype):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        if obj in _GLOBAL_CUSTOM_NAMES:
            name = _GLOBAL_CUSTOM_NAMES[obj]
            return {"module": obj.__module__, "class_name": "function", "config": name, "registered_name": name}
        if activations._BY_NAME.get(obj.__name__) is obj:
            return obj.__name__  # Keras writes activations by name
        if obj.__module__.startswith("teachnet."):
            return {"module": _keras_module(obj), "class_name": "function", "config": obj.__name__,
                    "registered_name": "function"}
        raise ValueError("Expected teachnet's own function or one registered with "
                         "teachnet.saving.register_keras_serializable (only those can be saved). Received: the "
                         f"function {obj.__name__!r}. Register it (it is then saved by name) or use a teachnet "
                         "function.")
    if not hasattr(obj, "get_config"):
        raise ValueError("Expected an object with get_config() (only those can be saved). Received: "
                         f"{obj!r} of type {type(obj).__name__}, which has none. Give its class get_config() (and "
                         "from_config) and register it with teachnet.saving.register_keras_serializable.")
    cls = type(obj)
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    class_name = cls.__name__
    inner = {key: _as_object(key, value) for key, value in obj.get_config().items()}
    config = {"module": _keras_module(obj), "class_name": class_name,
              "config": serialize_keras_object(inner), "registered_name": registered}
    if class_name == "Functional":  # how Keras 3 writes it
        config.update(module="keras.src.models.functional", registered_name="Functional")
    build_config = getattr(obj, "get_build_config", lambda: None)()
    if build_config:
        config["build_config"] = serialize_keras_object(build_config)
    return config


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

def _teachnet_namespace(module):
    """The teachnet module that holds what Keras's `module` holds, or None."""
    if module in ("keras", "keras.models") or (module or "").startswith("keras.src.models"):
        return importlib.import_module("teachnet.models")
    for part in reversed((module or "").split(".")):
        if part in _NAMESPACES:
            try:
                return importlib.import_module(_NAMESPACES[part])
            except ImportError:  # a Keras namespace teachnet does not have (yet)
                return None
    return None


def _supported(namespace):
    return sorted(name for name, value in vars(namespace).items()
                  if inspect.isclass(value) and hasattr(value, "from_config") and not name.startswith("_"))


def resolve_class(class_name, module=None, registered_name=None, custom_objects=None, what="object"):
    """The teachnet class (or function) a Keras config names, or a ValueError saying what to do."""
    found = _custom_lookup(custom_objects, registered_name, class_name)
    if found is not None:
        return found
    namespace = _teachnet_namespace(module)
    if class_name == "Functional" or (class_name == "Model" and namespace is not None
                                      and namespace.__name__ == "teachnet.models"):
        return Functional
    if namespace is not None:
        value = getattr(namespace, class_name, None)
        if value is not None and not class_name.startswith("_"):
            return value
    if registered_name and ">" in registered_name:
        raise ValueError(
            f"Could not locate the registered {what} {registered_name!r} (class {class_name}). Registered "
            f"objects: {sorted(_GLOBAL_CUSTOM_OBJECTS)}. Pass it with custom_objects={{{registered_name!r}: "
            f"{class_name}}} or decorate its class with "
            "@teachnet.saving.register_keras_serializable(package=...) before loading.")
    if namespace is None:
        raise ValueError(f"Unknown {what} class: expected a Keras class teachnet knows. Received: "
                         f"class_name={class_name!r} (module {module!r}). Pass it with custom_objects= or register "
                         "it with teachnet.saving.register_keras_serializable.")
    raise ValueError(f"Unknown {what} class: expected one that {namespace.__name__} supports: "
                     f"{', '.join(_supported(namespace))}. Received: class_name={class_name!r} (module "
                     f"{module!r}). If it is your own class, pass custom_objects= or register it with "
                     "teachnet.saving.register_keras_serializable.")


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, module_objects=None):
    """The object a Keras 3 config describes (the inverse of `serialize_keras_object`).

    Args:
        config: a dict with `class_name`/`config` (and `module`, `registered_name`), a
            name like "relu", or plain data (returned as is).
        custom_objects: a dict of your classes and functions, by class name
            or registered name.
        safe_mode: False allows a `Lambda` layer's saved Python code to be
            loaded; only do so for files you trust. Inside a load (a layer's
            from_config creating its parts), the outermost call's value holds.
    """
    if _SAFE_MODE:
        safe_mode = _SAFE_MODE[-1]
    _SAFE_MODE.append(safe_mode)
    try:
        return _deserialize(config, custom_objects, safe_mode, module_objects)
    finally:
        _SAFE_MODE.pop()


def _deserialize(config, custom_objects, safe_mode, module_objects):
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects, safe_mode, module_objects) for c in config]
    if isinstance(config, str) and module_objects is not None:
        found = _custom_lookup(custom_objects, config) or module_objects.get(config)
        return found if found is not None else config
    if not isinstance(config, dict) or "class_name" not in config:
        if isinstance(config, dict):
            return {k: deserialize_keras_object(v, custom_objects, safe_mode) for k, v in config.items()}
        return config
    class_name, inner = config["class_name"], config.get("config")
    module, registered_name = config.get("module"), config.get("registered_name")
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(x, custom_objects, safe_mode) for x in inner["value"])
    if class_name == "__lambda__":
        return _load_lambda(inner, safe_mode)
    if class_name in ("DTypePolicy", "FloatDTypePolicy"):
        if inner["name"].startswith("mixed_"):
            raise ValueError("Expected a dtype policy of one dtype (teachnet computes each layer in one dtype). "
                             f"Received: Keras's mixed precision policy {inner['name']!r}. Save the model with the "
                             "default policy (float32).")
        return inner["name"]  # teachnet computes in one dtype per layer: the policy's name is it
    if class_name == "function":
        fn = _custom_lookup(custom_objects, registered_name, inner)
        if fn is None:
            namespace = _teachnet_namespace(module)
            # Keras writes some of its own functions under module "builtins": look where Keras would.
            searched = [namespace] if namespace is not None else [
                importlib.import_module(_NAMESPACES[n]) for n in ("activations", "losses", "metrics", "ops")]
            fn = next((getattr(ns, inner) for ns in searched if callable(getattr(ns, inner, None))), None)
        if fn is None:
            raise ValueError(f"Unknown function: expected one of teachnet's or a registered one. Received: {inner!r} "
                             f"(module {module!r}). Pass it with custom_objects= or register it with "
                             "teachnet.saving.register_keras_serializable.")
        return fn
    cls = resolve_class(class_name, module, registered_name, custom_objects)
    if not hasattr(cls, "from_config"):
        raise ValueError(f"Expected a class with from_config to create from a config. Received: {class_name}, "
                         "which has none. Give it a from_config classmethod.")
    with custom_object_scope(custom_objects):
        params = inspect.signature(cls.from_config).parameters
        if "safe_mode" in params:
            obj = cls.from_config(inner, safe_mode=safe_mode)
        else:
            obj = cls.from_config(inner)
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
        obj.build_from_config(build_config)
    return obj


def deserialize_nested(config, custom_objects=None, safe_mode=True):
    """A layer's config with every nested Keras object (initializer, regularizer, ...) created."""
    return {key: deserialize_keras_object(value, custom_objects, safe_mode) for key, value in config.items()}


def _load_lambda(config, safe_mode):
    if safe_mode:
        raise ValueError("Requested the deserialization of a Python lambda (a Lambda layer's code). Its "
                         "code would run arbitrary Python when loaded, so it is refused. If the file comes "
                         "from a source you trust, pass safe_mode=False to load it.")
    import base64
    import marshal
    import types
    code = marshal.loads(base64.b64decode(config["code"]))  # Keras stores the lambda's bytecode this way
    return types.FunctionType(code, globals())


# ---------------------------------------------------------------------------
# Arguments of Keras that teachnet does not implement
# ---------------------------------------------------------------------------

# Keras writes these keys into configs; teachnet accepts them at the value
# shown (where they change nothing) and refuses any other value.
KERAS_ONLY_DEFAULTS = {
    "quantization_config": None, "lora_rank": None, "lora_alpha": None, "synchronized": False,
    "renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99, "ragged": False, "optional": False,
    "zero_output_for_mask": False, "sparse": False, "input_axes": None, "output_axes": None,
    "stateful": False, "unroll": False, "use_cudnn": "auto", "groups": 1, "autocast": True,
    "rms_scaling": False,
}


def check_config_keys(cls, config, accepted, what=None):
    """Drops Keras-only keys at their defaults; raises naming any key `cls` cannot take."""
    config = dict(config)
    for key, default in KERAS_ONLY_DEFAULTS.items():
        if key in config and key not in accepted:
            value = config.pop(key)
            if value != default and not (key == "use_cudnn" and value in (True, False)):
                raise ValueError(f"{what or cls.__name__}: expected `{key}={default!r}`, the only value teachnet "
                                 f"implements of this Keras option. Received: {key}={value!r} in the config. Save "
                                 f"the model with {key}={default!r}.")
    unknown = [key for key in config if key not in accepted]
    if unknown:
        raise ValueError(f"{what or cls.__name__}: unknown config key(s) {unknown} (a file from a newer Keras, or "
                         f"another layer's config?). Expected keys among: {sorted(accepted)}. Received: "
                         f"{sorted(config)}.")
    return config


def init_arguments(cls):
    """(names `cls(...)` accepts, whether it takes **kwargs) from the __init__ signatures along its MRO."""
    names, var_kwargs = set(), True
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        names |= {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)} - {"self"}
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            var_kwargs = False
            break  # this __init__ takes no **kwargs: its parents' arguments cannot reach them
    return names, var_kwargs


def config_from_init(obj, skip=()):
    """{argument: value} for the `__init__` arguments of `obj`'s class, read from attributes of the same name.

    Arguments of parent classes count too, when reached through **kwargs and
    optional there (a required parent argument, like a base conv's `rank`,
    is filled in by the subclass itself, so it is not the user's to give).
    """
    config, first = {}, True
    for klass in type(obj).__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        params = list(inspect.signature(klass.__init__).parameters.values())[1:]
        for p in params:
            if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) or p.name in skip or p.name in config:
                continue
            if not first and p.default is p.empty:
                continue
            if not hasattr(obj, p.name):
                raise NotImplementedError(
                    f"{type(obj).__name__}.get_config cannot find `self.{p.name}` for the __init__ argument "
                    f"`{p.name}`: store every argument under its own name in __init__, or override get_config "
                    "(and from_config) to say how to re-create the object.")
            config[p.name] = _as_object(p.name, getattr(obj, p.name))
        first = False
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    return config


def _as_object(argument, value):
    """An initializer or regularizer kept by its name ("zeros") as the object Keras writes in its place."""
    if isinstance(value, str) and argument.endswith("_initializer"):
        return initializers.get(value)
    if isinstance(value, str) and argument.endswith("_regularizer"):
        return regularizers.get(value)
    return value


def layer_from_config(cls, config, extra_arguments=()):
    """`cls(**config)`, with nested objects created and Keras-only keys checked.

    Used by every from_config of the engine (layers, initializers, regularizers,
    losses, metrics, optimizers); `extra_arguments` are names the class passes
    on through **kwargs (an LSTM's cell arguments)."""
    accepted, _ = init_arguments(cls)
    config = check_config_keys(cls, config, accepted | set(extra_arguments))
    return cls(**deserialize_nested(config))


def serialize_function(fn):
    """A Lambda's function: by name when registered or teachnet's own, else its code (as Keras writes it)."""
    if fn in _GLOBAL_CUSTOM_NAMES or (getattr(fn, "__module__", "") or "").startswith("teachnet."):
        return serialize_keras_object(fn)
    import base64
    import marshal
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}
