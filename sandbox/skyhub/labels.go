package skyhub

import (
	"fmt"
	"slices"
)

// View returns a PLP's label data, as SkyHub's test accounts answer
// GET /shipments/b2w/view in JSON.
func (s *Store) View(id int) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.plps, func(p *PLP) bool { return p.ID == id })
	if i < 0 {
		return nil, &Error{Status: 404, Message: fmt.Sprintf("Plp %d não encontrada", id)}
	}
	plp := s.plps[i]
	docs := []map[string]any{}
	for _, po := range plp.Orders {
		if o := s.remote[po.Code]; o != nil {
			docs = append(docs, docExterno(o))
		}
	}
	return map[string]any{
		"plp": map[string]any{"id": plp.ID, "codExterno": fmt.Sprint(plp.ID), "tpAgrupamento": plp.Type,
			"resumoServicos": []map[string]any{{"codServico": plp.Type, "nomeServico": "B2W Entrega " + plp.Type, "quantidadeAwbs": len(docs)}}},
		"docsExternos": docs,
	}, nil
}

// docExterno is one order's label: recipient, volumes and tracking codes.
func docExterno(o *Order) map[string]any {
	vol := 1
	number := ""
	if n := len(o.Invoices); n > 0 {
		vol, number = max(o.Invoices[n-1].VolumeQty, 1), o.Invoices[n-1].Number
	}
	awbs := make([]map[string]any, vol)
	for i := range awbs {
		awbs[i] = map[string]any{"codigoAwb": fmt.Sprintf("DX%s%02d", o.remote, i+1), "posicaoVolume": i + 1}
	}
	a := o.ShippingAddress
	return map[string]any{"docExterno": o.remote, "numNotaFiscal": number, "qtVolumes": vol, "tpEntrega": o.plpType(),
		"megaRota": "SP-CAPITAL", "rota": "01", "vlEntrega": o.ShippingCost,
		"destinatario": map[string]string{"nome": o.Customer.Name, "enderecoLogradouro": a.Street, "enderecoNumero": a.Number,
			"enderecoBairro": a.Neighborhood, "enderecoCidade": a.City, "enderecoUf": a.Region, "enderecoCep": a.Postcode},
		"awbs": awbs}
}
