"""A second client for `cfn-cognito-lint server`, written with pygls (another implementation
of the protocol than the server's lsp-server): initialize, open a bad template, await its
diagnostics (TR001 at the exact UTF-16 range), hover, fix the text, await the empty
diagnostics, shut down, exit.

Usage: python lsp_client.py BINARY TEMPLATE
Prints `lsp client: N passed, N failed` and exits 1 on a failure.
"""

import asyncio
import pathlib
import sys

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TIMEOUT = 20


class Client(LanguageClient):
    def __init__(self):
        super().__init__("cfn-cognito-lint-check", "1")
        self.diagnostics = {}
        self.arrived = asyncio.Condition()


async def main(binary, template):
    path = pathlib.Path(template).resolve()
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    client = Client()
    passed, failed = 0, 0

    def check(what, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"PASS: {what}")
        else:
            failed += 1
            print(f"FAIL: {what} {detail}")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    async def published(params: types.PublishDiagnosticsParams):
        async with client.arrived:
            client.diagnostics.setdefault(params.uri, []).append(params)
            client.arrived.notify_all()

    async def next_diagnostics(count):
        async with client.arrived:
            await asyncio.wait_for(
                client.arrived.wait_for(lambda: len(client.diagnostics.get(uri, [])) >= count),
                TIMEOUT,
            )
        return client.diagnostics[uri][count - 1]

    await client.start_io(binary, "server", cwd=str(path.parent))
    result = await asyncio.wait_for(
        client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=path.parent.as_uri(),
                initialization_options={"debounceMs": 20},
            )
        ),
        TIMEOUT,
    )
    check("server name", result.server_info is not None and result.server_info.name == "cfn-cognito-lint")
    check("UTF-16 by default", result.capabilities.position_encoding == "utf-16",
          str(result.capabilities.position_encoding))
    client.initialized(types.InitializedParams())

    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    first = await next_diagnostics(1)
    codes = [d.code for d in first.diagnostics]
    check("TR001 published", codes == ["TR001"], str(codes))
    tr001 = first.diagnostics[0] if first.diagnostics else None
    # Line 14 of the template: `- {Sid: "로그인🦀", ..., Condition: ...}`; `Condition` starts at
    # code point 136 (0-based), UTF-16 unit 137 (the crab is two units).
    line = text.splitlines()[13]
    col = line.index("Condition")
    units = len(line[:col].encode("utf-16-le")) // 2
    want = types.Range(
        start=types.Position(line=13, character=units),
        end=types.Position(line=13, character=units + len("Condition")),
    )
    check("exact UTF-16 range", tr001 is not None and tr001.range == want,
          f"{tr001.range if tr001 else None} != {want}")
    check("severity error", tr001 is not None and tr001.severity == types.DiagnosticSeverity.Error)

    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=13, character=units + 2),
            )
        ),
        TIMEOUT,
    )
    value = hover.contents.value if hover is not None else ""
    check("hover shows the rule's doc", "# TR001 trust-without-aud" in value, value[:200])

    fixed = text.replace(
        "Condition: {", "Condition: {StringEquals: {cognito-identity.amazonaws.com:aud: !Ref IdentityPool}, ", 1
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    second = await next_diagnostics(2)
    check("fixed: no diagnostics", second.version == 2 and len(second.diagnostics) == 0,
          f"version {second.version}: {second.diagnostics}")

    await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
    client.exit(None)
    await asyncio.wait_for(client.stop(), TIMEOUT)
    code = client._server.returncode if client._server is not None else None
    check("exit code 0 after shutdown and exit", code == 0, str(code))
    print(f"lsp client: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
