"""Files sealed with AES-256-GCM for backups, in chunks so a large database never has to fit in memory.

Layout: MAGIC, then chunks of (12-byte random nonce, 4-byte big-endian length, ciphertext with its 16-byte tag).
Each chunk's associated data binds the file's name in the backup, the chunk's number and whether it is the last,
so chunks cannot be swapped between files, reordered, dropped or cut off at the end without the tag failing."""

import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from anwei.core.errors import BusinessRuleError

MAGIC = b"ANWEI-AES256GCM-1\n"
CHUNK = 1 << 20
_HEAD = struct.Struct(">12sI")


def _aad(name: str, index: int, last: bool) -> bytes:
    return MAGIC + name.encode() + struct.pack(">Q?", index, last)


def seal(key: bytes, source: Path, target: Path, *, name: str) -> None:
    """Encrypt `source` into a new file `target` (mode 0600)."""
    aes = AESGCM(key)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as out:
        out.write(MAGIC)
        index = 0
        block = src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            last = not following
            nonce = os.urandom(12)
            data = aes.encrypt(nonce, block, _aad(name, index, last))
            out.write(_HEAD.pack(nonce, len(data)) + data)
            if last:
                return
            block, index = following, index + 1


def unseal(key: bytes, source: Path, target: Path, *, name: str) -> None:
    """Decrypt `source` into a new file `target` (mode 0600); a wrong key or any change refuses."""
    aes = AESGCM(key)
    damaged = BusinessRuleError(f"{name}: cannot be decrypted (another key, or the file was changed)")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as out:
        if src.read(len(MAGIC)) != MAGIC:
            raise BusinessRuleError(f"{name}: not an encrypted backup file")
        index = 0
        while True:
            head = src.read(_HEAD.size)
            if len(head) != _HEAD.size:
                raise damaged  # cut off before its last chunk
            nonce, length = _HEAD.unpack(head)
            data = src.read(length)
            for last in (False, True):
                try:
                    out.write(aes.decrypt(nonce, data, _aad(name, index, last)))
                except InvalidTag:
                    continue
                break
            else:
                raise damaged
            if last:
                if src.read(1):
                    raise damaged  # something appended after the last chunk
                return
            index += 1
