"""Facts about a file's jprobe code, for the jprobe -> kprobe migration (``rules/jprobe.py``).

The C front end records them (``frontends/c/jprobes.py``) from the tokens of the whole file, every
``#if`` branch included: what the code is and where each piece sits. Whether a piece can be
migrated, and how, is the rule's decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrator.core.model import Span


@dataclass
class HandlerParam:
    """One parameter of a jprobe handler as written."""

    name: str  # "" when the declarator has no plain name (abstract, function pointer)
    type_text: str  # the text before the name, every run of whitespace one space
    text: str  # the whole parameter, the same way
    shape: str  # scalar | pointer | struct | array | funcptr | float | variadic | typedef:NAME | unnamed


@dataclass
class JprobeHandler:
    """A definition of a function a jprobe names as its ``entry``."""

    name: str
    anchor: Span  # the name in the definition
    return_type: list[Span]  # the return-type words (and a pointer's '*'), to become "int"
    asmlinkage: list[Span]  # asmlinkage words, each with the blank after it
    params: Span  # between the parentheses
    param_list: list[HandlerParam]
    body: Span  # from '{' to '}' inclusive
    first_is_declaration: bool
    # `jprobe_return();` statements; True where the line holds nothing else, the statement starts
    # a statement of its block (not an unbraced if's body) and the next statement is a return
    jprobe_returns: list[tuple[Span, bool]] = field(default_factory=list)
    returns: list[tuple[Span, str]] = field(default_factory=list)  # `return ...;` and its value text
    ends_with_return: bool = False  # its last statement is a return or jprobe_return()
    words: frozenset[str] = frozenset()  # every identifier in the definition
    used: frozenset[str] = frozenset()  # identifiers the body reads (not as a member after . or ->)
    address_taken: frozenset[str] = frozenset()  # parameters whose address the body takes
    directive_in_signature: bool = False  # a #line between the return type and the '{' (rewritten whole)


@dataclass
class JprobeEntry:
    """A jprobe's ``entry``: a designator ``.entry = v`` or an assignment ``jp.entry = v``."""

    member: Span  # the word "entry"
    value: Span | None  # the value as written (casts, JPROBE_ENTRY(...) included); None: a read
    handler: str  # the function it names, "" if none could be read


@dataclass
class KpBlock:
    """``.kp = { ... }`` in a jprobe's initializer: flattened by the migration."""

    opening: Span  # ".kp = {"
    closing: Span  # "}" and the "," after it, if any
    inner: Span  # between the braces


@dataclass
class JprobeCode:
    """Everything a migration of the file's jprobes has to rewrite."""

    objects: list[str] = field(default_factory=list)  # names declared with struct jprobe (and pointers to it)
    declarations: list[Span] = field(default_factory=list)  # each `struct jprobe ...;` outside parentheses
    type_words: list[Span] = field(default_factory=list)  # the "jprobe" of every `struct jprobe`
    calls: list[tuple[Span, str]] = field(default_factory=list)  # register_jprobe & co.: the name, the call
    kp_members: list[Span] = field(default_factory=list)  # ".kp" / "kp." to delete (members, designators)
    kp_blocks: list[KpBlock] = field(default_factory=list)
    entries: list[JprobeEntry] = field(default_factory=list)
    handlers: list[JprobeHandler] = field(default_factory=list)
    positional: list[Span] = field(default_factory=list)  # jprobe initializers without designators
    # calls of functions named *jprobe* that are neither the kprobes API nor defined in the file: a
    # registration helper elsewhere (SystemTap's _stp_register_jprobes) that expects struct jprobe
    foreign_calls: list[str] = field(default_factory=list)
    kernel_versions_compared: list[tuple[int, int]] = field(default_factory=list)  # KERNEL_VERSION(a, b, _)
    has_version_header: bool = False  # #include <linux/version.h>
