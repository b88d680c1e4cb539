//! Implementation guides as data: the model and the loader for `grammars/*`.
