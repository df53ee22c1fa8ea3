// The export of the package's two event types, merged with the service's document.
def document = new File(basedir, 'target/asyncapi.yaml')
assert document.isFile() : 'omnibus:export wrote no target/asyncapi.yaml'
def text = document.getText('UTF-8')
assert text.startsWith('asyncapi: 3.0.0')
assert text.contains('address: shop.orders') : 'the channel address comes from the document'
assert text.contains('protocol: kafka') : 'the servers come from the document'
assert text.contains('publishOrders:') : 'the operations come from the document'
assert text.contains('x-omnibus-type: com.example.shop.order-placed.v1')
assert text.contains('x-omnibus-type: com.example.shop.order-paid.v1')
assert text.contains('OrderPlaced:') && text.contains('totalMinor:')
assert text =~ /(?s)currency:\s+type: string\s+enum:\s+- EUR\s+- USD/
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('Exported 2 event types to')
return true
