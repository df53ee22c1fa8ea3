// The examples' document, as a page and as Markdown, in target/asyncapi-docs.
def html = new File(basedir, 'target/asyncapi-docs/index.html')
def markdown = new File(basedir, 'target/asyncapi-docs/index.md')
assert html.isFile() : 'omnibus:docs wrote no target/asyncapi-docs/index.html'
assert markdown.isFile() : 'omnibus:docs wrote no target/asyncapi-docs/index.md'
def page = html.getText('UTF-8')
assert page.startsWith('<!DOCTYPE html>')
assert page.contains('<h1 id="top">Orders 1.0.0</h1>')
assert page.contains('<h2 id="delivery">Delivery semantics</h2>')
assert page.contains('Warn: an invalid payload is logged and goes on.') : 'the validation parameter'
assert !page.contains('<script')
def text = markdown.getText('UTF-8')
assert text.contains('| `orderId` | string | yes | At least 1 character. |')
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('Wrote the documentation of')
return true
