// Additive changes only: the build passed, and the reports list them, none breaking.
import groovy.json.JsonSlurper

def json = new JsonSlurper().parse(new File(basedir, 'target/omnibus-compat.json'))
assert json.formatVersion == 1
assert json.old == 'src/contract/asyncapi.yaml'
assert json.new == 'target/asyncapi.yaml'
assert json.breaking == false
assert json.counts.breaking == 0
def byPath = json.changes.collectEntries { [(it.path): it] }
def cancelled = byPath['channels.orders.messages.orderCancelled']
assert cancelled != null && cancelled.kind == 'added' && !cancelled.breaking
def note = byPath['channels.orders.messages.orderPlaced.payload.properties.note']
assert note != null && note.kind == 'added' && !note.breakingForProducers && !note.breakingForConsumers
def currency = byPath['channels.orders.messages.orderPlaced.payload.properties.currency.enum']
assert currency != null && currency.kind == 'widened' && !currency.breaking

def text = new File(basedir, 'target/omnibus-compat.txt').getText('UTF-8')
assert !text.contains('BREAKING')
assert text.contains('0 breaking.')
return true
