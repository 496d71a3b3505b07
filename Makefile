# Equivalents of the original agent's make targets, on top of ./mvnw and kubectl.
#   make build                                   jar + lib/ in agent/target
#   make build PUSH=true VERSION=0.1.0 REGISTRY=registry.example[:port] [BASE_IMAGE=…] [INSECURE=true]
#                                                multi-arch image (Jib), pushed; the base is the public
#                                                eclipse-temurin:25-jre (the agent carries its libbpf)
#   make deploy NAMESPACE=k8s-ebpf [IMAGE=…]     kubectl apply the agent (namespace, RBAC, DaemonSet) and the
#                                                cluster scaler (deploy/scaler.yaml)
#   make render NAMESPACE=…                      print what deploy would apply
#   make test | image-check | newcomer-check     the README's test command and the release checks
.PHONY: build deploy render test image-check newcomer-check

VERSION ?= $(shell sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
PUSH ?= false
REGISTRY ?=
BASE_IMAGE ?= eclipse-temurin:25-jre
INSECURE ?= false
NAMESPACE ?= k8s-ebpf
KUBECTL ?= kubectl
REPOSITORY := $(if $(REGISTRY),$(REGISTRY)/,)k8s-ebpf-l4l7-metrics/agent
IMAGE ?= $(REPOSITORY):$(VERSION)

build:
ifeq ($(PUSH),true)
	./mvnw -B -Pimage -DskipTests package -Dimage.repository=$(REPOSITORY) -Dimage.tag=$(VERSION) \
	  -Dimage.insecure=$(INSECURE) -Dimage.base=$(BASE_IMAGE)
else
	./mvnw -B -DskipTests package
endif

# The agent's and the scaler's manifests with the namespace and image substituted (the files say k8s-ebpf and the
# default image name).
render:
	@printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' '$(NAMESPACE)'
	@for f in deploy/rbac.yaml deploy/daemonset.yaml deploy/scaler.yaml; do \
	  printf -- '---\n'; \
	  sed -e 's/^\( *namespace:\) k8s-ebpf$$/\1 $(NAMESPACE)/' \
	      -e 's#^\( *image:\) k8s-ebpf-l4l7-metrics/agent:[^ ]*#\1 $(IMAGE)#' "$$f"; \
	done

deploy:
	$(MAKE) -s render NAMESPACE='$(NAMESPACE)' IMAGE='$(IMAGE)' | $(KUBECTL) apply -f -

test:
	bin/test

image-check:
	bin/image-check

newcomer-check:
	bin/newcomer-check
