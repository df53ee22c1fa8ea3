// Two breaking changes: one for consumers (a removed property), one for producers (a newly required property).
import groovy.json.JsonSlurper

def json = new JsonSlurper().parse(new File(basedir, 'target/omnibus-compat.json'))
assert json.breaking == true
assert json.counts.breakingForConsumers >= 1
assert json.counts.breakingForProducers >= 1
def byPath = json.changes.collectEntries { [(it.path): it] }

def removed = byPath['channels.orders.messages.orderPaid.payload.properties.totalMinor']
assert removed != null : "no change for the removed totalMinor in ${json.changes*.path}"
assert removed.kind == 'removed'
assert removed.breaking && removed.breakingForConsumers && !removed.breakingForProducers

def required = byPath['channels.orders.messages.orderPlaced.payload.properties.customer']
assert required != null : "no change for the required customer in ${json.changes*.path}"
assert required.kind == 'narrowed'
assert required.breaking && required.breakingForProducers && !required.breakingForConsumers

def text = new File(basedir, 'target/omnibus-compat.txt').getText('UTF-8')
assert text.contains('BREAKING (consumers)  channels.orders.messages.orderPaid.payload.properties.totalMinor')
assert text.contains('BREAKING (producers)  channels.orders.messages.orderPlaced.payload.properties.customer')

// Both builds' logs: the first failed on the check, the second only warned.
def logs = basedir.listFiles().findAll { it.name.startsWith('build') && it.name.endsWith('.log') }*.getText('UTF-8').join('\n')
assert logs.contains('[ERROR] BREAKING (consumers)')
assert logs.contains('target/asyncapi.yaml breaks src/contract/asyncapi.yaml: 2 changes, 2 breaking')
assert logs.contains('[WARNING] BREAKING (consumers)')
return true
